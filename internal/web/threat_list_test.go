package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// TestThreatListRows checks what the rows of the threat and vulnerability
// lists show: the reference and title linking to the entry, with titles
// that hold markup shown as text; the category; the controls with their
// titles; the archived pill and the starter catalogue's id; and only the
// entries the filters select, on the page and in the htmx fragment. Only
// those who may load the starter catalogue are offered it.
func TestThreatListRows(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		owner := f.Owner()
		hostile, err := db.CreateThreat(ctx, owner, isms.Threat{Kind: isms.KindThreat, Title: `<script>alert("x")</script> & Tom's + co`,
			Description: "Injected through a form", Category: "deliberate", Controls: []string{"8.7", "5.17"}})
		if err != nil {
			t.Fatal(err)
		}
		old, err := db.CreateThreat(ctx, owner, isms.Threat{Kind: isms.KindThreat, Title: `Old "fax" line`, Category: "technical", Controls: []string{"7.4"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ArchiveThreat(ctx, owner, isms.KindThreat, old.ID, old.Version, true); err != nil {
			t.Fatal(err)
		}
		door, err := db.CreateThreat(ctx, owner, isms.Threat{Kind: isms.KindVulnerability, Title: "Door code < 5 digits & shared", Category: "physical"})
		if err != nil {
			t.Fatal(err)
		}
		c := e.as(f.Users[isms.RoleOwner])

		hostileCells := []string{
			`<td><a class="ref" href="/o/acme/threats/` + hostile.ID + `">` + hostile.Ref + `</a></td>`,
			`<td class="wrap"><a class="title-link" href="/o/acme/threats/` + hostile.ID + `">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Tom&#39;s &#43; co</a></td>`,
			`<td>Deliberate act</td>`,
			`<td class="mono small"><abbr title="Authentication information">5.17</abbr>, <abbr title="Protection against malware">8.7</abbr></td>`,
		}
		oldTitle := `<a class="title-link" href="/o/acme/threats/` + old.ID + `">Old &#34;fax&#34; line</a> <span class="pill pill-muted">Archived</span></td>`
		page := c.get("/o/acme/threats").expect(t, 200, hostileCells...).lacks(t, `<script>alert`, "Old &#34;fax&#34;", "Door code", "Injected")
		listRows(t, page.body, 1)
		page = c.get("/o/acme/threats?archived=all").expect(t, 200, append(hostileCells, oldTitle,
			`<td>Technical failure</td>`, `<td class="mono small"><abbr title="Physical security monitoring">7.4</abbr></td>`)...)
		listRows(t, page.body, 2)
		frag := c.get("/o/acme/threats?archived=archived&sort=-title", "HX-Request", "true", "HX-Target", "results").
			expect(t, 200, oldTitle).lacks(t, "<html", "Tom&#39;s")
		listRows(t, frag.body, 1)

		vulns := c.get("/o/acme/vulnerabilities").expect(t, 200,
			`<td class="wrap"><a class="title-link" href="/o/acme/vulnerabilities/`+door.ID+`">Door code &lt; 5 digits &amp; shared</a></td>`,
			`<td>Physical</td>`, `<td class="mono small"></td>`).lacks(t, "Tom&#39;s")
		listRows(t, vulns.body, 1)

		// Only those who may load the starter catalogue are offered it.
		c.get("/o/acme/threats").expect(t, 200, "Load the starter catalogue")
		e.as(f.Users[isms.RoleContributor]).get("/o/acme/threats").expect(t, 200, hostileCells...).lacks(t, "Load the starter catalogue")

		// Entries loaded from the starter catalogue say so; the firm's own
		// do not, and the source filter tells them apart.
		if _, err := db.LoadStarterCatalogue(ctx, owner); err != nil {
			t.Fatal(err)
		}
		c.get("/o/acme/vulnerabilities?q=reused").expect(t, 200, `Weak or reused passwords</a> <span class="muted small">(catalogue V-`).
			lacks(t, "Load the starter catalogue")
		own := c.get("/o/acme/threats?source=own&archived=all").expect(t, 200, hostileCells[1], oldTitle).lacks(t, "(catalogue")
		listRows(t, own.body, 2)
		c.get("/o/acme/threats?q=%3Cscript").expect(t, 200, hostileCells...)
		c.get("/o/acme/threats?q=nothing+like+this").expect(t, 200, "Nothing matches these filters").lacks(t, `class="title-link"`)
	})
}

// listRows checks that a list page or fragment shows n rows.
func listRows(t *testing.T, body string, n int) {
	t.Helper()
	if got := strings.Count(body, `<a class="title-link"`); got != n {
		t.Fatalf("%d rows, want %d\n%s", got, n, excerpt(body))
	}
}
