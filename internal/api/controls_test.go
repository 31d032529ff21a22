package api_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

const (
	controlsPath = "/api/v1/orgs/acme/controls"
	soaPath      = "/api/v1/orgs/acme/soa"
	evidencePath = "/api/v1/orgs/acme/evidence"
)

// controlID finds a control's id by its reference.
func (e *env) controlID(t *testing.T, ref string) string {
	t.Helper()
	r := e.do(t, "GET", controlsPath+"?limit=500&q="+ref, e.tokens[isms.RoleOwner], nil)
	for _, it := range r.items(t) {
		if it["ref"] == ref {
			return it["id"].(string)
		}
	}
	t.Fatalf("no control %s in %s", ref, r.body)
	return ""
}

func warningKinds(t *testing.T, r response, ref string) []string {
	t.Helper()
	var out []string
	for _, it := range r.items(t) {
		if it["ref"] == ref {
			out = append(out, it["kind"].(string))
		}
	}
	return out
}

func TestControlsAPI(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			owner, contrib := e.tokens[isms.RoleOwner], e.tokens[isms.RoleContributor]
			contribID := e.f.Users[isms.RoleContributor].ID

			// The catalogue's 93 controls, filtered by theme and attribute.
			r := e.do(t, "GET", controlsPath+"?limit=1", e.tokens[isms.RoleAuditor], nil)
			if r.status != 200 || r.object(t)["total"].(float64) != 93 || r.items(t)[0]["ref"] != "A.5.1" {
				t.Fatalf("list %d %.300s", r.status, r.body)
			}
			r = e.do(t, "GET", controlsPath+"?theme=Physical&limit=500", owner, nil)
			if n := len(r.items(t)); n != 14 {
				t.Fatalf("physical controls: %d", n)
			}
			r = e.do(t, "GET", controlsPath+"?control_type=Corrective&theme=People", owner, nil)
			for _, it := range r.items(t) {
				if it["theme"] != "People" || !strings.Contains(fmt.Sprint(it["control_types"]), "Corrective") {
					t.Fatalf("filtered item %v", it)
				}
			}
			if r = e.do(t, "GET", controlsPath+"?security_domain=moon", owner, nil); r.status != 422 {
				t.Fatalf("unknown attribute value %d", r.status)
			}
			if r = e.do(t, "GET", controlsPath, e.tokens[isms.RoleStaff], nil); r.status != 403 {
				t.Fatalf("staff list %d", r.status)
			}

			// PATCH: decision, owner; a stale version is refused.
			id := e.controlID(t, "A.5.15")
			u := controlsPath + "/" + id
			r = e.do(t, "PATCH", u, owner, map[string]any{"version": 1, "decision": "included", "justification": "Access is our main exposure.",
				"owner_id": contribID, "status": "partial"})
			c := r.object(t)
			if r.status != 200 || c["decision"] != "included" || c["owner_name"] == "" || c["status"] != "partial" || c["version"].(float64) != 2 {
				t.Fatalf("patch %d %s", r.status, r.body)
			}
			if r = e.do(t, "PATCH", u, owner, map[string]any{"version": 1, "status": "planned"}); r.status != 409 {
				t.Fatalf("stale patch %d %s", r.status, r.body)
			}
			// The catalogue's fields of an Annex A control are fixed.
			r = e.do(t, "PATCH", u, owner, map[string]any{"version": 2, "title": "Mine"})
			if r.status != 422 {
				t.Fatalf("retitle Annex A %d %s", r.status, r.body)
			}
			fieldError(t, r, "body.title", "catalogue decides")
			// The contributor owns it now: may change it, not hand it on.
			r = e.do(t, "PATCH", u, contrib, map[string]any{"version": 2, "implementation": "SSO everywhere", "status": "implemented"})
			if r.status != 200 || r.object(t)["implementation"] != "SSO everywhere" {
				t.Fatalf("owner's patch %d %s", r.status, r.body)
			}
			r = e.do(t, "PATCH", u, contrib, map[string]any{"version": 3, "owner_id": e.f.Users[isms.RoleOwner].ID})
			if r.status != 422 {
				t.Fatalf("hand on %d %s", r.status, r.body)
			}
			// … and not a control someone else owns, even with a bad body.
			if r = e.do(t, "PATCH", controlsPath+"/"+e.controlID(t, "A.5.1"), contrib, map[string]any{"version": "x"}); r.status != 403 {
				t.Fatalf("contributor patch of another control %d %s", r.status, r.body)
			}
			// Exclusion with a reason; null clears the decision.
			x := e.controlID(t, "A.7.5")
			r = e.do(t, "PATCH", controlsPath+"/"+x, owner, map[string]any{"version": 1, "decision": "excluded", "exclusion_reason": "out_of_scope", "exclusion_text": "No premises."})
			if r.status != 200 || r.object(t)["exclusion_reason"] != "out_of_scope" {
				t.Fatalf("exclude %d %s", r.status, r.body)
			}
			r = e.do(t, "PATCH", controlsPath+"/"+x, owner, map[string]any{"version": 2, "decision": "maybe"})
			if r.status != 422 {
				t.Fatalf("bad decision %d %s", r.status, r.body)
			}
			fieldError(t, r, "body.decision", "Choose one of")
			r = e.do(t, "GET", controlsPath+"?decision=excluded", owner, nil)
			if items := r.items(t); len(items) != 1 || items[0]["ref"] != "A.7.5" {
				t.Fatalf("decision filter %s", r.body)
			}

			// Custom controls: create, refuse a duplicate code, archive, restore.
			r = e.do(t, "POST", controlsPath, owner, map[string]any{"ref": "ACME-1", "title": "Supplier access review", "theme": "Organizational", "related_ids": []string{"5.19"}})
			if r.status != 201 || !strings.HasPrefix(r.header.Get("Location"), controlsPath+"/") || r.object(t)["kind"] != "custom" {
				t.Fatalf("create custom %d %s", r.status, r.body)
			}
			cu := r.header.Get("Location")
			r = e.do(t, "POST", controlsPath, owner, map[string]any{"ref": "ACME-1", "title": "Again", "theme": "People"})
			if r.status != 422 {
				t.Fatalf("duplicate code %d %s", r.status, r.body)
			}
			fieldError(t, r, "body.ref", "")
			if r = e.do(t, "POST", controlsPath, contrib, map[string]any{"ref": "C-9", "title": "x", "theme": "People"}); r.status != 403 {
				t.Fatalf("contributor create %d", r.status)
			}
			if r = e.do(t, "POST", u+"/archive", owner, map[string]any{"version": 3}); r.status != 409 {
				t.Fatalf("archive Annex A %d %s", r.status, r.body)
			}
			if r = e.do(t, "POST", cu+"/archive", owner, map[string]any{"version": 1}); r.status != 200 || r.object(t)["archived_at"] == nil {
				t.Fatalf("archive custom %d %s", r.status, r.body)
			}
			if r = e.do(t, "POST", cu+"/restore", owner, map[string]any{"version": 2}); r.status != 200 || r.object(t)["archived_at"] != nil {
				t.Fatalf("restore custom %d %s", r.status, r.body)
			}
			r = e.do(t, "GET", u+"/history", e.tokens[isms.RoleAuditor], nil)
			if r.status != 200 || len(r.items(t)) < 2 {
				t.Fatalf("history %d %s", r.status, r.body)
			}

			// An evidence request becomes an action of the member asked.
			r = e.do(t, "POST", u+"/evidence-requests", owner, map[string]any{"title": "Export the SSO report", "responsible_id": contribID, "due_date": "2030-01-31"})
			if r.status != 201 || r.object(t)["serves_type"] != "control" || r.object(t)["serves_id"] != id || !strings.Contains(r.header.Get("Location"), "/actions/") {
				t.Fatalf("request evidence %d %s", r.status, r.body)
			}
			r = e.do(t, "POST", u+"/evidence-requests", owner, map[string]any{"title": "x"})
			if r.status != 422 {
				t.Fatalf("request without who and when %d %s", r.status, r.body)
			}
			fieldError(t, r, "body.responsible_id", "Enter a value")
			fieldError(t, r, "body.due_date", "Enter a value")
			if r = e.do(t, "GET", controlsPath+"/"+id, e.outsider, nil); r.status != 404 {
				t.Fatalf("other organisation %d", r.status)
			}
		})
	}
}

// upload sends a file as multipart/form-data.
func (e *env) upload(t *testing.T, path, token, name string, content []byte, version int) response {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if version > 0 {
		mw.WriteField("version", fmt.Sprint(version))
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	return e.do(t, "POST", path, token, b.Bytes(), "Content-Type", mw.FormDataContentType())
}

func TestEvidenceAndSoAAPI(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			owner, contrib := e.tokens[isms.RoleOwner], e.tokens[isms.RoleContributor]
			contribID := e.f.Users[isms.RoleContributor].ID
			ctl := e.controlID(t, "A.8.13")

			// The SoA starts with every control undecided.
			r := e.do(t, "GET", soaPath, e.tokens[isms.RoleAuditor], nil)
			s := r.object(t)
			if r.status != 200 || s["total"].(float64) != 93 || s["summary"].(map[string]any)["undecided"].(float64) != 93 || s["latest_version"].(float64) != 0 {
				t.Fatalf("soa %d %.400s", r.status, r.body)
			}
			r = e.do(t, "GET", soaPath+"/warnings?kind=undecided", owner, nil)
			if len(warningKinds(t, r, "A.8.13")) != 1 {
				t.Fatalf("undecided warning %s", r.body)
			}
			// Included and implemented without evidence: two warnings change.
			r = e.do(t, "PATCH", controlsPath+"/"+ctl, owner, map[string]any{"version": 1, "decision": "included", "justification": "Backups protect customer data.", "status": "implemented"})
			if r.status != 200 {
				t.Fatalf("patch %d %s", r.status, r.body)
			}
			r = e.do(t, "GET", soaPath+"/warnings", owner, nil)
			if k := warningKinds(t, r, "A.8.13"); fmt.Sprint(k) != "[implemented_no_evidence]" {
				t.Fatalf("warnings of A.8.13: %v", k)
			}

			// Evidence: a link, then a note turned into a file.
			r = e.do(t, "POST", evidencePath, owner, map[string]any{"title": "Backup dashboard", "kind": "link", "url": "https://backup.example.com/jobs",
				"valid_until": "2000-01-01", "control_ids": []string{ctl}})
			if r.status != 201 || r.object(t)["ref"] != "E-001" || !r.object(t)["expired"].(bool) {
				t.Fatalf("create link %d %s", r.status, r.body)
			}
			link := r.header.Get("Location")
			r = e.do(t, "GET", soaPath+"/warnings", owner, nil)
			if k := warningKinds(t, r, "A.8.13"); fmt.Sprint(k) != "[evidence_expired]" {
				t.Fatalf("warnings with expired evidence: %v", k)
			}
			r = e.do(t, "POST", evidencePath, owner, map[string]any{"title": "x", "kind": "link", "url": "ftp://nope"})
			if r.status != 422 {
				t.Fatalf("bad url %d", r.status)
			}
			fieldError(t, r, "body.url", "")
			r = e.do(t, "POST", evidencePath, owner, map[string]any{"title": "x", "kind": "file"})
			fieldError(t, r, "body.kind", "upload the file")
			// Contributors record evidence they own.
			r = e.do(t, "POST", evidencePath, contrib, map[string]any{"title": "Restore test notes", "kind": "note", "description": "Restored the CRM on 3 March."})
			note := r.object(t)
			if r.status != 201 || note["owner_id"] != contribID {
				t.Fatalf("contributor note %d %s", r.status, r.body)
			}
			noteURL := r.header.Get("Location")
			if r = e.do(t, "PATCH", link, contrib, map[string]any{"version": 1, "title": "Mine"}); r.status != 403 {
				t.Fatalf("contributor patch of others' evidence %d", r.status)
			}
			content := []byte("restore log: ok\n")
			if r = e.upload(t, noteURL+"/file", contrib, "restore.txt", content, 0); r.status != 422 {
				t.Fatalf("upload without version %d %s", r.status, r.body)
			}
			if r = e.do(t, "POST", noteURL+"/file", contrib, map[string]any{"version": 1}); r.status != 415 {
				t.Fatalf("JSON upload %d %s", r.status, r.body)
			}
			r = e.upload(t, noteURL+"/file", contrib, "../restore.txt", content, 1)
			f := r.object(t)
			if r.status != 200 || f["kind"] != "file" || f["file_name"] != "restore.txt" || f["file_size"].(float64) != float64(len(content)) || f["sha256"] == "" {
				t.Fatalf("upload %d %s", r.status, r.body)
			}
			if r = e.upload(t, noteURL+"/file", contrib, "again.txt", content, 1); r.status != 409 {
				t.Fatalf("stale upload %d %s", r.status, r.body)
			}
			// Download: attachment, detected type, nosniff, audited.
			r = e.do(t, "GET", noteURL+"/file", e.tokens[isms.RoleAuditor], nil)
			if r.status != 200 || !bytes.Equal(r.body, content) || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") ||
				r.header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(r.header.Get("Content-Disposition"), `attachment; filename=restore.txt`) {
				t.Fatalf("download %d %v %q", r.status, r.header, r.body)
			}
			log, err := e.db.AuditLog(context.Background(), e.f.Owner(), isms.AuditFilter{RecordID: note["id"].(string), Action: "download"})
			if err != nil {
				t.Fatal(err)
			}
			downloads := 0
			for _, x := range log.Items {
				if x.Action == "download" {
					downloads++
				}
			}
			if downloads != 1 {
				t.Fatalf("downloads audited: %d", downloads)
			}
			if r = e.do(t, "GET", link+"/file", owner, nil); r.status != 404 {
				t.Fatalf("download of a link %d", r.status)
			}
			// PATCH links the file to the control and renews the link.
			r = e.do(t, "PATCH", noteURL, contrib, map[string]any{"version": 2, "control_ids": []string{ctl}, "valid_until": nil})
			if r.status != 200 || len(r.object(t)["controls"].([]any)) != 1 {
				t.Fatalf("link evidence %d %s", r.status, r.body)
			}
			r = e.do(t, "PATCH", link, owner, map[string]any{"version": 1, "valid_until": nil})
			if r.status != 200 || r.object(t)["valid_until"] != nil {
				t.Fatalf("renew %d %s", r.status, r.body)
			}
			r = e.do(t, "GET", soaPath+"/warnings", owner, nil)
			if k := warningKinds(t, r, "A.8.13"); len(k) != 0 {
				t.Fatalf("warnings once evidenced: %v", k)
			}
			// Filters.
			r = e.do(t, "GET", evidencePath+"?control="+ctl+"&sort=-ref", owner, nil)
			if items := r.items(t); len(items) != 2 || items[0]["ref"] != "E-002" {
				t.Fatalf("control filter %s", r.body)
			}
			r = e.do(t, "GET", evidencePath+"?owner_id="+contribID+"&kind=file", owner, nil)
			if len(r.items(t)) != 1 {
				t.Fatalf("owner filter %s", r.body)
			}
			if r = e.do(t, "GET", evidencePath+"?expiry=expired", owner, nil); len(r.items(t)) != 0 {
				t.Fatalf("expired filter %s", r.body)
			}
			if r = e.do(t, "GET", evidencePath+"?expiry=later", owner, nil); r.status != 422 {
				t.Fatalf("bad expiry %d", r.status)
			}
			// Renewal requests, archive, history.
			r = e.do(t, "POST", link+"/renewal-requests", owner, map[string]any{"title": "Renew", "responsible_id": contribID, "due_date": "2030-02-01"})
			if r.status != 201 || r.object(t)["serves_type"] != "evidence" {
				t.Fatalf("renewal %d %s", r.status, r.body)
			}
			if r = e.do(t, "POST", link+"/renewal-requests", contrib, map[string]any{}); r.status != 403 {
				t.Fatalf("contributor renewal request %d", r.status)
			}
			if r = e.do(t, "POST", link+"/archive", owner, map[string]any{"version": 2}); r.status != 200 {
				t.Fatalf("archive %d %s", r.status, r.body)
			}
			if r = e.do(t, "GET", evidencePath+"?archived=archived", owner, nil); len(r.items(t)) != 1 {
				t.Fatalf("archived list %s", r.body)
			}
			if r = e.do(t, "POST", link+"/restore", owner, map[string]any{"version": 3}); r.status != 200 {
				t.Fatalf("restore %d %s", r.status, r.body)
			}
			if r = e.do(t, "GET", noteURL+"/history", owner, nil); r.status != 200 || len(r.items(t)) < 3 {
				t.Fatalf("history %d %s", r.status, r.body)
			}

			// Approve: version 1, then nothing to approve; a change shows in the diff.
			if r = e.do(t, "POST", soaPath+"/versions", contrib, map[string]any{"note": "x"}); r.status != 403 {
				t.Fatalf("contributor approval %d", r.status)
			}
			r = e.do(t, "POST", soaPath+"/versions", owner, map[string]any{"note": "First edition"})
			v := r.object(t)
			if r.status != 201 || v["number"].(float64) != 1 || v["approver_role"] != "owner" || r.header.Get("Location") != soaPath+"/versions/1" {
				t.Fatalf("approve %d %.400s", r.status, r.body)
			}
			if r = e.do(t, "POST", soaPath+"/versions", owner, nil); r.status != 409 {
				t.Fatalf("approve unchanged %d %s", r.status, r.body)
			}
			r = e.do(t, "PATCH", controlsPath+"/"+ctl, owner, map[string]any{"version": 2, "status": "partial"})
			if r.status != 200 {
				t.Fatalf("patch %d %s", r.status, r.body)
			}
			r = e.do(t, "GET", soaPath+"/diff?from=1&to=draft", e.tokens[isms.RoleAuditor], nil)
			if items := r.items(t); r.status != 200 || len(items) != 1 || items[0]["ref"] != "A.8.13" || fmt.Sprint(items[0]["fields"]) != "[status]" {
				t.Fatalf("diff %d %s", r.status, r.body)
			}
			if r = e.do(t, "GET", soaPath+"/diff?from=zero", owner, nil); r.status != 422 {
				t.Fatalf("bad diff %d", r.status)
			}
			r = e.do(t, "GET", soaPath+"/versions", owner, nil)
			if r.status != 200 || !strings.Contains(string(r.body), `"number":1`) {
				t.Fatalf("versions %d %s", r.status, r.body)
			}
			r = e.do(t, "GET", soaPath+"/versions/1", owner, nil)
			if r.status != 200 || len(r.object(t)["items"].([]any)) != 93 {
				t.Fatalf("version 1 %d %.300s", r.status, r.body)
			}
			if r = e.do(t, "GET", soaPath+"/versions/2", owner, nil); r.status != 404 {
				t.Fatalf("version 2 %d", r.status)
			}
			if r = e.do(t, "GET", soaPath, e.tokens[isms.RoleOwner], nil); !r.object(t)["changed"].(bool) || r.object(t)["latest_version"].(float64) != 1 {
				t.Fatalf("draft after change %s", r.body[:200])
			}
			// Exports.
			for ext, sig := range map[string]string{"xlsx": "PK", "docx": "PK", "pdf": "%PDF"} {
				r = e.do(t, "GET", soaPath+"/export."+ext+"?version=1", e.tokens[isms.RoleAuditor], nil)
				if r.status != 200 || !bytes.HasPrefix(r.body, []byte(sig)) || !strings.Contains(r.header.Get("Content-Disposition"), "acme-soa-v1-") {
					t.Fatalf("export %s: %d %v", ext, r.status, r.header)
				}
			}
			if r = e.do(t, "GET", soaPath+"/export.pdf?version=7", owner, nil); r.status != 404 {
				t.Fatalf("export of a missing version %d", r.status)
			}
			if r = e.do(t, "GET", soaPath+"/export.xlsx", e.tokens[isms.RoleStaff], nil); r.status != 403 {
				t.Fatalf("staff export %d", r.status)
			}
		})
	}
}

// The upload limit applies to API uploads as to the web form.
func TestEvidenceUploadLimit(t *testing.T) {
	e := newEnv(t, storetest.Dialects(t)[0])
	owner := e.tokens[isms.RoleOwner]
	r := e.do(t, "POST", evidencePath, owner, map[string]any{"title": "Big", "kind": "note", "description": "x"})
	u := r.header.Get("Location")
	r = e.upload(t, u+"/file", owner, "big.bin", bytes.Repeat([]byte("x"), 21<<20), 1)
	if r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized upload %d %s", r.status, r.body)
	}
	if r = e.do(t, "GET", u, owner, nil); r.object(t)["kind"] != "note" {
		t.Fatalf("after refused upload %s", r.body)
	}
}
