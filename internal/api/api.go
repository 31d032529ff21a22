// Package api serves Holdfast's JSON API under /api/v1. It is built with
// huma, which derives the OpenAPI 3.1 document (/api/v1/openapi.json) from
// the Go types of each operation. Clients authenticate with API tokens
// only (Authorization: Bearer hf_…); the browser session cookie is never
// accepted, so a page cannot be tricked into calling the API.
package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/holdfast-isms/holdfast/internal/auth"
	"github.com/holdfast-isms/holdfast/internal/httpx"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// Prefix is the path every API route starts with.
const Prefix = "/api/v1"

// handler serves the API; every operation is a method on it.
type handler struct {
	Deps
	api huma.API
}

type ctxKey int

const (
	keyHandler ctxKey = iota
	keyUser
	keyActor
	keyOrg
)

// New returns the API handler. The server mounts it for every path under
// /api/.
func New(d Deps) http.Handler {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	h := &handler{Deps: d}
	h.api = humago.NewWithPrefix(mux, Prefix, config(d.Version))
	h.api.UseMiddleware(h.authenticate)
	h.routes()

	var (
		once sync.Once
		spec []byte
	)
	mux.HandleFunc("GET "+Prefix+"/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		httpx.SetRoute(r, "GET "+Prefix+"/openapi.json")
		once.Do(func() {
			var err error
			if spec, err = json.Marshal(h.api.OpenAPI()); err != nil {
				h.Log.Error("api: render OpenAPI document", "err", err)
			}
		})
		if spec == nil {
			writeProblem(w, newProblem(http.StatusInternalServerError, tr.T("error.internal")))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(spec)
	})
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		h.unmatched(mux, w, r)
	})
	return mux
}

// config is huma's configuration: the OpenAPI document with its bearer
// security scheme, and none of huma's extras that would load a docs page
// from a CDN, add $schema fields to bodies or serve schemas separately.
func config(version string) huma.Config {
	if version == "" {
		version = "dev"
	}
	cfg := huma.DefaultConfig("Holdfast API", version)
	cfg.OpenAPIPath = "" // served by New, outside the authenticated operations
	cfg.DocsPath = ""
	cfg.SchemasPath = ""
	cfg.CreateHooks = nil
	cfg.RejectUnknownQueryParameters = true
	cfg.Info.Description = apiDescription
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {
			Type:         "http",
			Scheme:       "bearer",
			BearerFormat: "hf_…",
			Description:  "An API token created under Account → API tokens (or `holdfast token create`). It acts as its user, with the role the user holds in each organisation.",
		},
	}
	cfg.Security = []map[string][]string{{"bearer": {}}}
	return cfg
}

const apiDescription = `The JSON API of Holdfast, a self-hosted ISO/IEC 27001:2022 ISMS.

**Authentication.** Send an API token as ` + "`Authorization: Bearer hf_…`" + `. The browser session cookie is never accepted. A missing, unknown or revoked token gets 401 with ` + "`WWW-Authenticate: Bearer`" + `.

**Organisations.** ` + "`GET /orgs`" + ` lists the organisations you belong to; every register lives under ` + "`/orgs/{org}/…`" + ` where {org} is the organisation's short name. An organisation you are not a member of answers 404, exactly like one that does not exist. What you may do inside it follows your role there (403 otherwise).

**Records.** Field names are snake_case. Every record has id, version, created_at and updated_at (RFC 3339, UTC), and ref where the register has human references (P-001).

**Lists** answer ` + "`{\"items\": […], \"total\": N, \"next_cursor\": \"…\"}`" + ` and take limit (1–500, default 50), cursor (the next_cursor of the previous page; empty on the last page), q (search), sort (a field name, "-" in front for descending), archived ("" for active records, "archived", or "all") and the register's filters. An unknown parameter, filter or sort answers 422 naming it.

**Changes.** PATCH sends only the fields being changed plus the version the change is based on; absent fields stay as they are and null clears a nullable field. If the record changed in the meantime the answer is 409 and nothing is written.

**Errors** are application/problem+json (RFC 9457): title, status, detail and errors, a list of {location, message} naming each offending input (body.email, query.limit …). A body that is not JSON at all answers 400; JSON that is well-formed but wrong (unknown fields, wrong types, failed validation) answers 422; a body over the size limit (1 MiB by default) answers 413. Internal errors answer 500 with a generic message; details are only logged.`

// authenticate runs before every operation, before its parameters and
// body are read: it labels the route for metrics, resolves the bearer token
// to a user and, on routes under /orgs/{org}, the user's membership of that
// organisation and whether their role grants the operation's permission.
func (h *handler) authenticate(ctx huma.Context, next func(huma.Context)) {
	op := ctx.Operation()
	if r, _ := unwrap(ctx); r != nil {
		httpx.SetRoute(r, op.Method+" "+Prefix+op.Path)
	}
	ctx = huma.WithValue(ctx, keyHandler, h)
	ctx = huma.WithContext(ctx, store.WithReadMemo(ctx.Context()))
	secret, ok := bearer(ctx.Header("Authorization"))
	if !ok {
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="holdfast"`)
		h.write(ctx, newProblem(http.StatusUnauthorized, tr.T("error.bad_token")))
		return
	}
	// The token, and on routes under /orgs/{org} the membership, in one
	// statement.
	slug := ""
	if strings.Contains(op.Path, "{org}") {
		slug = ctx.Param("org")
	}
	u, a, o, err := h.DB.TokenActor(ctx.Context(), auth.HashToken(secret), slug)
	if err != nil {
		where := "header"
		switch isms.ErrorKind(err) {
		case isms.KindUnauthorized:
			ctx.SetHeader("WWW-Authenticate", `Bearer realm="holdfast", error="invalid_token"`)
		case isms.KindNotFound: // the organisation
			where = "path"
		}
		h.write(ctx, h.fail(ctx.Context(), err, where))
		return
	}
	ctx = huma.WithValue(ctx, keyUser, u)
	if slug != "" {
		if perm, _ := op.Metadata[metaPermission].(isms.Permission); perm != "" {
			if err := a.Require(perm); err != nil {
				h.write(ctx, h.fail(ctx.Context(), err, "path"))
				return
			}
		}
		ctx = huma.WithValue(huma.WithValue(ctx, keyActor, a), keyOrg, o)
	}
	next(ctx)
}

// bearer extracts the token from an Authorization header.
func bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != "" && len(token) <= 200
}

// write sends p from a middleware, before any operation ran.
func (h *handler) write(ctx huma.Context, p *Problem) {
	if err := huma.WriteErr(h.api, ctx, p.Status, p.Detail, p); err != nil {
		h.Log.Warn("api: write error response", "err", err)
	}
}

// unmatched answers requests that match no operation: 405 when the path
// exists with other methods, 404 otherwise.
func (h *handler) unmatched(mux *http.ServeMux, w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "/api/" && pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		httpx.SetRoute(r, "api method not allowed")
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeProblem(w, newProblem(http.StatusMethodNotAllowed, tr.T("error.method")))
		return
	}
	httpx.SetRoute(r, "api not found")
	writeProblem(w, newProblem(http.StatusNotFound, tr.T("api.no_route")))
}

// writeProblem sends p outside huma.
func writeProblem(w http.ResponseWriter, p *Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

func unwrap(ctx huma.Context) (r *http.Request, w http.ResponseWriter) {
	defer func() {
		if recover() != nil { // not a humago context (cannot happen in New)
			r, w = nil, nil
		}
	}()
	return humago.Unwrap(ctx)
}

func handlerOf(ctx huma.Context) *handler {
	if ctx == nil {
		return nil
	}
	h, _ := ctx.Context().Value(keyHandler).(*handler)
	return h
}

// userOf returns the authenticated user of a request.
func userOf(ctx context.Context) isms.User {
	u, _ := ctx.Value(keyUser).(isms.User)
	return u
}

// actorOf returns the caller's membership of the organisation in the path.
func actorOf(ctx context.Context) (isms.Actor, isms.Organisation) {
	a, _ := ctx.Value(keyActor).(isms.Actor)
	o, _ := ctx.Value(keyOrg).(isms.Organisation)
	return a, o
}
