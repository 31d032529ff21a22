package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/server"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// upload posts a multipart form with one file field.
func (c *client) upload(path string, fields url.Values, file string, content []byte) response {
	c.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if file != "" {
		fw, _ := mw.CreateFormFile("file", file)
		fw.Write(content)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// TestControlsSoAEvidenceFlow walks what a firm does: decide on controls,
// see the SoA warnings change, upload evidence, approve the SoA, change
// it and compare, and download the exports.
func TestControlsSoAEvidenceFlow(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		owner := e.as(f.Users[isms.RoleOwner])
		cs, err := db.ActiveControls(ctx, f.Owner())
		if err != nil {
			t.Fatal(err)
		}
		var backup isms.Control
		for _, c := range cs {
			if c.Ref == "A.8.13" {
				backup = c
			}
		}
		path := "/o/acme/controls/" + backup.ID
		owner.get(path).expect(t, http.StatusOK, "Information backup", "A.12.3.1", "No decision yet",
			"No evidence linked yet.", "No risk&#39;s treatment uses this control yet.")
		// An exclusion replaced by a control that does not exist is refused with the field named.
		owner.post(path+"/edit", url.Values{"version": {"1"}, "status": {"implemented"}, "decision": {"excluded"}, "exclusion_reason": {"replaced"}}).
			expect(t, http.StatusUnprocessableEntity, "Choose the custom control that replaces this one.", `href="#replaced_by_id"`)
		r := owner.post(path+"/edit", url.Values{"version": {"1"}, "status": {"implemented"}, "decision": {"included"}, "justification": {"Customers require it"}})
		owner.follow(r).expect(t, http.StatusOK, "Control A.8.13 saved.", "Marked implemented, but no evidence is linked.")
		// A stale form is a conflict, input kept.
		owner.post(path+"/edit", url.Values{"version": {"1"}, "status": {"planned"}, "implementation": {"Keep me"}}).
			expect(t, http.StatusConflict, "was changed by", "Keep me")

		// Evidence: upload with a hostile name, linked to the control.
		r = owner.upload("/o/acme/evidence/new", url.Values{"title": {"Restore log"}, "kind": {"file"}, "controls": {backup.ID}, "valid_until": {"2099-01-01"}},
			"../../etc/restore.txt", []byte("restored fine"))
		page := owner.follow(r).expect(t, http.StatusOK, "E-001", "restore.txt", "A.8.13")
		id := regexpFind(t, `/evidence/([0-9a-f-]{36})/download`, page.body)
		d := e.as(f.Users[isms.RoleAuditor]).get("/o/acme/evidence/"+id+"/download").expect(t, http.StatusOK, "restored fine")
		if cd := d.header.Get("Content-Disposition"); !strings.Contains(cd, `filename=restore.txt`) || !strings.HasPrefix(cd, "attachment") {
			t.Fatalf("Content-Disposition %q", cd)
		}
		owner.get(path).expect(t, http.StatusOK, `<a class="ref" href="/o/acme/evidence/`+id+`">E-001</a> <a href="/o/acme/evidence/`+id+`">Restore log</a>`,
			"valid until ").lacks(t, "Marked implemented, but no evidence is linked.", "No evidence linked yet.")
		// Staff may not download.
		e.as(f.Users[isms.RoleStaff]).get("/o/acme/evidence/"+id+"/download").expect(t, http.StatusForbidden)

		// Approve, change, compare.
		owner.follow(owner.post("/o/acme/soa/publish", url.Values{"note": {"Board meeting"}})).expect(t, http.StatusOK, "SoA version 1 approved.", "Matches approved version 1")
		e.as(f.Users[isms.RoleContributor]).post("/o/acme/soa/publish", url.Values{}).expect(t, http.StatusForbidden)
		owner.post(path+"/edit", url.Values{"version": {"2"}, "status": {"partial"}, "decision": {"included"}, "justification": {"Customers require it"}})
		owner.get("/o/acme/soa").expect(t, http.StatusOK, "Draft: changed since version 1")
		owner.get("/o/acme/soa/compare?from=1&to=0").expect(t, http.StatusOK, "A.8.13", "<del>Implemented</del>", "<ins>Partially implemented</ins>")
		for _, x := range []struct{ path, ctype string }{
			{"/o/acme/soa/export.xlsx?version=1", "spreadsheetml"}, {"/o/acme/soa/export.docx", "wordprocessingml"}, {"/o/acme/soa/export.pdf?version=1", "application/pdf"},
		} {
			r := owner.get(x.path).expect(t, http.StatusOK)
			if !strings.Contains(r.header.Get("Content-Type"), x.ctype) || len(r.body) < 1000 {
				t.Errorf("%s: %s, %d bytes", x.path, r.header.Get("Content-Type"), len(r.body))
			}
		}
		owner.get("/o/acme/soa/export.pdf?version=7").expect(t, http.StatusNotFound)
		// Filters and grouping by attribute.
		owner.get("/o/acme/controls?attr=control_type:Detective&group=security_property").expect(t, http.StatusOK, "13 controls match", "Confidentiality")
	})
}

// TestUploadLimit: a file over --max-upload is refused with the limit
// named, and nothing is stored.
func TestUploadLimit(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db, "acme")
		e := &env{t: t, db: db, pwSet: map[string]bool{}}
		e.srv = newServer(t, db, server.Config{MaxUpload: 1000})
		c := e.as(f.Users[isms.RoleOwner])
		c.upload("/o/acme/evidence/new", url.Values{"title": {"Big"}, "kind": {"file"}}, "big.bin", make([]byte, 1001)).
			expect(t, http.StatusRequestEntityTooLarge, "larger than the limit")
		c.upload("/o/acme/evidence/new", url.Values{"title": {"Huge"}, "kind": {"file"}}, "huge.bin", make([]byte, 3<<20)).
			expect(t, http.StatusRequestEntityTooLarge)
		if p, _ := db.EvidenceList(context.Background(), f.Owner(), isms.ListQuery{}); p.Total != 0 {
			t.Fatalf("%d evidence stored", p.Total)
		}
		c.upload("/o/acme/evidence/new", url.Values{"title": {"Fits"}, "kind": {"file"}}, "ok.txt", []byte("fits")).expect(t, http.StatusSeeOther)
	})
}

func newServer(t *testing.T, db *store.DB, cfg server.Config) *httptest.Server {
	srv := httptest.NewServer(server.New(cfg, db))
	t.Cleanup(srv.Close)
	return srv
}
