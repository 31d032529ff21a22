package i18n

import (
	"strings"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

func TestTranslator(t *testing.T) {
	tr := Translator{Lang: English, FormatTime: func(t time.Time) string { return t.Format("2006-01-02") }}
	got := tr.Msg(isms.M("error.stale", "Ann", time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)))
	if !strings.Contains(got, "changed by Ann at 2026-03-12") {
		t.Fatalf("stale message: %q", got)
	}
	if tr.T("no.such.key") != "no.such.key" {
		t.Fatal("an unknown key should render as itself so tests can spot it")
	}
	if tr.T("role.isms_manager") != "ISMS manager" || tr.T("validation.too_long", 5) != "Use at most 5 characters." {
		t.Fatal("lookup or formatting broken")
	}
	if !strings.Contains(tr.Error(errFake{}), "Something went wrong") {
		t.Fatal("a non-domain error must render as the generic internal message")
	}
}

type errFake struct{}

func (errFake) Error() string { return "database password is hunter2" }

func TestCatalogueWellFormed(t *testing.T) {
	keys := Keys()
	if len(keys) < 100 {
		t.Fatalf("only %d messages", len(keys))
	}
	for _, k := range keys {
		msg := catalogs[English][k]
		if strings.TrimSpace(msg) == "" {
			t.Errorf("message %s is empty", k)
		}
	}
	for _, r := range isms.Roles {
		for _, suffix := range []string{"", ".description"} {
			if !Has("role." + string(r) + suffix) {
				t.Errorf("role %s has no %q message", r, suffix)
			}
		}
	}
}
