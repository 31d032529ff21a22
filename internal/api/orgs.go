package api

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// Org is an organisation the caller belongs to.
type Org struct {
	ID   string `json:"id"`
	Slug string `json:"slug" doc:"Short name, used in URLs." example:"acme"`
	Name string `json:"name" example:"Acme Ltd"`
	Role string `json:"role" enum:"owner,isms_manager,contributor,auditor,staff" doc:"The caller's role in the organisation."`
}

func (h *handler) listOrgs(ctx context.Context, _ *struct{}) (*ListOutput[Org], error) {
	ms, err := h.DB.Memberships(ctx, userOf(ctx).ID)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	page := isms.Page[isms.Membership]{Items: ms, Total: len(ms)}
	return listOf(page, func(m isms.Membership) Org {
		return Org{ID: m.OrgID, Slug: m.OrgSlug, Name: m.OrgName, Role: string(m.Role)}
	}), nil
}

// Member is a user's membership of the organisation.
type Member struct {
	ID        string    `json:"id" doc:"The member's user id."`
	Email     string    `json:"email" example:"ada@example.com"`
	Name      string    `json:"name" example:"Ada Lovelace"`
	Role      string    `json:"role" enum:"owner,isms_manager,contributor,auditor,staff"`
	Version   int       `json:"version" doc:"The membership's version."`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

type listMembersInput struct {
	OrgPath
	Limit  int    `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"Items per page, 1–500."`
	Cursor string `query:"cursor" doc:"Continue after the previous page: its next_cursor."`
	Q      string `query:"q" maxLength:"200" doc:"Search text; matches name or email, ignoring case."`
	Sort   string `query:"sort" enum:"name,-name,email,-email,role,-role,created_at,-created_at" doc:"Sort field; \"-\" in front for descending. Default name."`
	Role   string `query:"role" enum:"owner,isms_manager,contributor,auditor,staff" doc:"Only members with this role."`
}

// listMembers pages through the membership list in memory: an
// organisation has tens of members, not thousands.
func (h *handler) listMembers(ctx context.Context, in *listMembersInput) (*ListOutput[Member], error) {
	a, _ := actorOf(ctx)
	ms, err := h.DB.Members(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	q := strings.ToLower(strings.TrimSpace(in.Q))
	var items []Member
	for _, m := range ms {
		if in.Role != "" && string(m.Role) != in.Role {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(m.UserName), q) && !strings.Contains(m.UserEmail, q) {
			continue
		}
		items = append(items, Member{
			ID: m.UserID, Email: m.UserEmail, Name: m.UserName, Role: string(m.Role),
			Version: m.Version, CreatedAt: m.CreatedAt.UTC(), UpdatedAt: m.UpdatedAt.UTC(),
		})
	}
	field, desc := strings.CutPrefix(in.Sort, "-")
	key := func(m Member) string {
		switch field {
		case "email":
			return m.Email
		case "role":
			return m.Role
		case "created_at":
			return isms.FormatTime(m.CreatedAt)
		}
		return strings.ToLower(m.Name)
	}
	slices.SortFunc(items, func(x, y Member) int {
		c := strings.Compare(key(x), key(y))
		if c == 0 {
			c = strings.Compare(x.ID, y.ID)
		}
		if desc {
			c = -c
		}
		return c
	})
	offset := 0
	if in.Cursor != "" {
		n, err := strconv.Atoi(in.Cursor)
		if err != nil || n < 1 || n > len(items) {
			return nil, h.fail(ctx, isms.Invalid("cursor", "validation.cursor"), "query")
		}
		offset = n
	}
	end := min(offset+in.Limit, len(items))
	page := isms.Page[Member]{Items: items[offset:end], Total: len(items)}
	if end < len(items) {
		page.NextCursor = strconv.Itoa(end)
	}
	return listOf(page, func(m Member) Member { return m }), nil
}
