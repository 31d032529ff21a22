package isms

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func fieldsOf(err error) map[string]string {
	out := map[string]string{}
	if err == nil {
		return out
	}
	for _, f := range AsError(err).Fields {
		out[f.Field] = f.Msg.Key
	}
	return out
}

func TestPersonValidate(t *testing.T) {
	cases := []struct {
		name string
		p    Person
		want map[string]string
	}{
		{"ok", Person{Name: "Ada", Email: "ada@example.com", StartDate: "2024-01-01", LeaveDate: "2024-02-01"}, map[string]string{}},
		{"missing name", Person{Name: "  "}, map[string]string{"name": "validation.required"}},
		{"bad email", Person{Name: "A", Email: "not an email"}, map[string]string{"email": "validation.email"}},
		{"email without domain dot", Person{Name: "A", Email: "a@localhost"}, map[string]string{"email": "validation.email"}},
		{"bad date", Person{Name: "A", StartDate: "2024-13-01"}, map[string]string{"start_date": "validation.date"}},
		{"leave before start", Person{Name: "A", StartDate: "2024-05-01", LeaveDate: "2024-04-30"}, map[string]string{"leave_date": "validation.leave_before_start"}},
		{"own manager", Person{Meta: Meta{ID: "x"}, Name: "A", ManagerID: "x"}, map[string]string{"manager_id": "validation.manager_self"}},
		{"too long", Person{Name: strings.Repeat("a", 201)}, map[string]string{"name": "validation.too_long"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.p.Normalize()
			got := fieldsOf(c.p.Validate())
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Fatalf("field %s: got %q, want %q (all: %v)", k, got[k], v, got)
				}
			}
		})
	}
}

func TestOrganisationValidate(t *testing.T) {
	o := Organisation{Name: " Acme ", Slug: "Acme-Ltd"}
	o.Normalize()
	if err := o.Validate(); err != nil {
		t.Fatalf("valid organisation refused: %v", err)
	}
	if o.Slug != "acme-ltd" || o.TimeZone != "UTC" || o.SizeBand != SizeSmall || o.DateFormat != DateFormats[0] {
		t.Fatalf("defaults not applied: %+v", o)
	}
	bad := Organisation{Name: "", Slug: "-x", SizeBand: "huge", TimeZone: "Mars/Olympus", DateFormat: "DD.MM"}
	got := fieldsOf(bad.Validate())
	for _, f := range []string{"name", "slug", "size_band", "time_zone", "date_format"} {
		if got[f] == "" {
			t.Errorf("%s not reported: %v", f, got)
		}
	}
	london := Organisation{TimeZone: "Europe/London", DateFormat: "02 Jan 2006"}
	at := time.Date(2026, 7, 1, 23, 30, 0, 0, time.UTC) // already 2 July in London (BST)
	if got := london.FormatDate(at); got != "02 Jul 2026" {
		t.Fatalf("FormatDate in London: %q", got)
	}
	if got := london.FormatCalendarDate("2026-03-12"); got != "12 Mar 2026" {
		t.Fatalf("FormatCalendarDate: %q", got)
	}
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Acme Ltd":                 "acme-ltd",
		"  Bluebell  Dental & Co ": "bluebell-dental-co",
		"Ö":                        "org",
		"A":                        "org-a",
		strings.Repeat("x", 60):    strings.Repeat("x", 40),
	} {
		got := Slugify(in)
		if got != want || !ValidSlug(got) {
			t.Errorf("Slugify(%q) = %q, want %q (valid: %v)", in, got, want, ValidSlug(got))
		}
	}
	if !ValidSlug(Slugify("Acme Ltd")) {
		t.Fatal("slug from a name is not valid")
	}
}

func TestRolePermissions(t *testing.T) {
	want := map[Role][]Permission{
		RoleOwner:       {PermReadRegisters, PermWriteRegisters, PermManageMembers, PermManageOrg, PermReadAudit},
		RoleISMSManager: {PermReadRegisters, PermWriteRegisters},
		RoleContributor: {PermReadRegisters, PermWriteOwned},
		RoleAuditor:     {PermReadRegisters, PermReadAudit},
	}
	refused := map[Role][]Permission{
		RoleISMSManager: {PermManageMembers, PermManageOrg, PermReadAudit},
		RoleContributor: {PermWriteRegisters, PermManageMembers, PermReadAudit},
		RoleAuditor:     {PermWriteRegisters, PermWriteOwned, PermManageMembers},
		RoleStaff:       {PermReadRegisters, PermWriteRegisters, PermWriteOwned, PermReadMembers, PermManageMembers, PermManageOrg, PermReadAudit},
	}
	for r, ps := range want {
		for _, p := range ps {
			if !r.Can(p) {
				t.Errorf("%s should have %s", r, p)
			}
		}
	}
	for r, ps := range refused {
		for _, p := range ps {
			if r.Can(p) {
				t.Errorf("%s must not have %s", r, p)
			}
		}
	}
	if err := (Actor{UserID: "u", OrgID: "o", Role: RoleStaff}).Require(PermReadRegisters); ErrorKind(err) != KindForbidden {
		t.Fatalf("staff reading registers: %v", err)
	}
	if err := (Actor{UserID: "u", Role: RoleOwner}).Require(PermReadRegisters); ErrorKind(err) != KindForbidden {
		t.Fatalf("an actor without an organisation must be refused: %v", err)
	}
	if Role("admin").Valid() {
		t.Fatal("unknown role accepted")
	}
}

func TestDiff(t *testing.T) {
	specs := []FieldSpec{{"name", "person.name"}, {"email", "person.email"}, {"n", "x"}}
	got := Diff(specs, map[string]any{"name": "A", "email": "a@x.test", "n": float64(3)}, map[string]any{"name": "B", "email": "a@x.test", "n": float64(3)})
	if len(got) != 1 || got[0].Field != "name" || got[0].Before != "A" || got[0].After != "B" || got[0].Label != "person.name" {
		t.Fatalf("diff %+v", got)
	}
	created := Diff(specs, nil, map[string]any{"name": "A", "n": float64(2)})
	if len(created) != 2 || created[1].After != "2" {
		t.Fatalf("creation diff %+v", created)
	}
}

func TestAuditHash(t *testing.T) {
	e := AuditEntry{Seq: 2, ID: "id", OrgID: "org", At: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), ActorID: "u",
		RecordType: "person", RecordID: "p", Action: ActionUpdate, Before: `{"name":"A"}`, After: `{"name":"B"}`, PrevHash: "abc"}
	h := e.ComputeHash()
	if len(h) != 64 || h != e.ComputeHash() {
		t.Fatalf("hash %q not a stable SHA-256", h)
	}
	// Chains already stored were hashed this way: a different hash here
	// means that every existing audit log would fail its check.
	if want := "4a9a6920717192b47af701cf4d510bbbda3acbbe0b8ebcbe4acbc46547eb19a1"; h != want {
		t.Fatalf("hash %s; entries stored by earlier versions carry %s", h, want)
	}
	// The verification's hash of an entry's text is the entry's hash, and
	// another entry's is another.
	other := e
	other.Seq = 3
	if got := AuditSumOf([]byte(e.HashedText())); !got.Is(h) {
		t.Errorf("AuditSumOf gives %s; ComputeHash %s", got[:], h)
	}
	if got := AuditSumOf([]byte(other.HashedText())); !got.Is(other.ComputeHash()) || got.Is(h) {
		t.Errorf("AuditSumOf gives %s for another entry", got[:])
	}
	// Hashed field by field, the text gives the same hash; a field left out
	// (a NULL column) is left out with its separator, as concat_ws joins.
	var fields [][]byte
	for _, f := range strings.Split(e.HashedText(), AuditHashSeparator) {
		fields = append(fields, []byte(f))
	}
	if got := AuditSumOfFields(fields); !got.Is(h) {
		t.Errorf("AuditSumOfFields gives %s; ComputeHash %s", got[:], h)
	}
	withoutBefore := slices.Clone(fields)
	withoutBefore[9] = nil
	joined := strings.Join([]string{"abc", "2", "id", "org", FormatTime(e.At), "u", "person", "p", string(ActionUpdate), `{"name":"B"}`}, AuditHashSeparator)
	want := AuditSumOf([]byte(joined))
	if got := AuditSumOfFields(withoutBefore); got != want || got.Is(h) {
		t.Errorf("AuditSumOfFields without a field gives %s", got[:])
	}
	withoutBefore[9] = []byte{}
	if got := AuditSumOfFields(withoutBefore); got == want {
		t.Errorf("an empty field is hashed as a field left out")
	}
	for name, change := range map[string]func(*AuditEntry){
		"after":     func(x *AuditEntry) { x.After = `{"name":"C"}` },
		"prev hash": func(x *AuditEntry) { x.PrevHash = "abd" },
		"seq":       func(x *AuditEntry) { x.Seq = 3 },
		"time":      func(x *AuditEntry) { x.At = x.At.Add(time.Microsecond) },
		"actor":     func(x *AuditEntry) { x.ActorID = "v" },
	} {
		x := e
		change(&x)
		if x.ComputeHash() == h {
			t.Errorf("changing %s does not change the hash", name)
		}
	}
	if got := EncodeFields(map[string]any{"b": "2", "a": "1"}); got != `{"a":"1","b":"2"}` {
		t.Fatalf("fields not encoded canonically: %s", got)
	}
	if DecodeFields("") != nil || DecodeFields("{bad") != nil {
		t.Fatal("empty or malformed fields must decode to nil")
	}
}

func TestActionRules(t *testing.T) {
	x := Action{Title: "Patch servers", DueDate: "2026-01-31"}
	x.Normalize()
	if x.Status != ActionOpen || x.Validate() != nil {
		t.Fatalf("new action: %+v %v", x, x.Validate())
	}
	if !x.Overdue("2026-02-01") || x.Overdue("2026-01-31") {
		t.Fatal("overdue is the day after the due date")
	}
	x.Status = ActionDone
	if fieldsOf(x.Validate())["completion_evidence"] == "" {
		t.Fatal("done without completion evidence accepted")
	}
	x.CompletionEvidence = "Patch report"
	if x.Validate() != nil || x.Overdue("2027-01-01") {
		t.Fatal("a done action is valid and never overdue")
	}
	x.ServesType = "risk"
	if fieldsOf(x.Validate())["serves_id"] == "" {
		t.Fatal("a half link is accepted")
	}
	x.Status = "paused"
	if fieldsOf(x.Validate())["status"] == "" {
		t.Fatal("unknown status accepted")
	}
}

func TestListQueryNormalize(t *testing.T) {
	q := ListQuery{}
	if err := q.Normalize(); err != nil || q.Limit != DefaultLimit {
		t.Fatalf("default limit: %d %v", q.Limit, err)
	}
	for _, bad := range []ListQuery{{Limit: MaxLimit + 1}, {Limit: -1}, {Archived: "deleted"}} {
		if err := bad.Normalize(); ErrorKind(err) != KindInvalid {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestPasswordRules(t *testing.T) {
	if ValidatePassword("p", strings.Repeat("a", MinPasswordLength-1)) == nil {
		t.Fatal("short password accepted")
	}
	if ValidatePassword("p", "twelve chars") != nil {
		t.Fatal("12-character password refused")
	}
	if ValidatePassword("p", strings.Repeat("a", MaxPasswordLength+1)) == nil {
		t.Fatal("overlong password accepted")
	}
}

// DecodeFields reads what EncodeFields writes without encoding/json;
// whatever the input, it must decode exactly as encoding/json does.
func FuzzDecodeFields(f *testing.F) {
	for _, s := range []string{
		`{"name":"Dana","ref":"P-001","archived":false,"size":12,"ratio":0.5,"tags":["a","b"],"owner":null}`,
		`{}`, ` { "a" : [ 1 , 2.5e3 , -0 , {"b":[]} ] } `, `{"a":"x\"y\\z\/\b\f\n\r\t"}`, `{"a":"\u00e9"}`,
		`{"a":"é ünï — 中文"}`, "{\"a\":\"\xff\"}", "{\"a\":\"x\x01\"}", `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e400}`,
		`{"a":-}`, `{"a":1,}`, `{"a":1,"a":2}`, `{"a":true,"b":false}`, `{"a":tru}`, `{"a":trueish}`, `null`, `[]`,
		`"x"`, `{"a":1}x`, `{"a":1`, `{a:1}`, `{"":[[[]]]}`, `{"a":[1,]}`, `{"a":"\x"}`, `{"a":"\ud800"}`,
		`{"a":9007199254740993}`, `{"a":1E+2,"b":1e-2}`, "{\"a\":\"\x7f\"}", `{"a":"\u003cb\u003e \u0026 \u20ac"}`, `{"a":"\u00"}`, `{"a":"\u+123"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want map[string]any
		if s != "" && json.Unmarshal([]byte(s), &want) != nil {
			want = nil
		}
		if got := DecodeFields(s); !reflect.DeepEqual(got, want) {
			t.Errorf("DecodeFields(%q) = %#v, encoding/json %#v", s, got, want)
		}
	})
}

// Fields as the store encodes them read back as encoding/json reads them.
func TestDecodeFieldsReadsEncodedFields(t *testing.T) {
	m := map[string]any{"name": "Tom & \"Jerry\" <x>", "n": 3, "f": 1.25, "ok": true, "none": nil,
		"list": []string{"a", "b\nc"}, "nested": map[string]any{"k": []int{1, 2}}, "uni": "ünïcødé\t€", "ctl": "a\x01b"}
	s := EncodeFields(m)
	var want map[string]any
	if err := json.Unmarshal([]byte(s), &want); err != nil {
		t.Fatal(err)
	}
	if got := DecodeFields(s); !reflect.DeepEqual(got, want) {
		t.Fatalf("DecodeFields(%s) = %#v, want %#v", s, got, want)
	}
}
