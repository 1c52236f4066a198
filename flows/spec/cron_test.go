package spec

import (
	"strings"
	"testing"
	"time"
)

func TestCronNext(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for i, tc := range []struct{ expr, from, want string }{
		{"* * * * *", "2026-01-01 00:00", "2026-01-01 00:01"},
		{"*/5 * * * *", "2026-01-01 00:03", "2026-01-01 00:05"},
		{"*/5 * * * *", "2026-01-01 00:55", "2026-01-01 01:00"},
		{"0 3 * * *", "2026-01-01 03:00", "2026-01-02 03:00"},
		{"30 9-17/4 * * *", "2026-01-01 10:00", "2026-01-01 13:30"},
		{"0 0 1 * *", "2026-01-15 12:00", "2026-02-01 00:00"},
		{"0 0 29 2 *", "2026-03-01 00:00", "2028-02-29 00:00"},
		{"0 12 * * mon-fri", "2026-01-02 13:00", "2026-01-05 12:00"}, // Fri -> Mon
		{"0 0 * * 7", "2026-01-01 00:00", "2026-01-04 00:00"},        // 7 is Sunday
		{"0 0 13 * 5", "2026-01-01 00:00", "2026-01-02 00:00"},       // dom or dow
		{"15,45 * * * *", "2026-01-01 00:20", "2026-01-01 00:45"},
		{"0 0 1 jan,jul *", "2026-02-01 00:00", "2026-07-01 00:00"},
		{"5/20 * * * *", "2026-01-01 00:26", "2026-01-01 00:45"},
		{"0 0 30 2 *", "2026-01-01 00:00", ""},
	} {
		c, err := ParseCron(tc.expr)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		got := c.Next(at(tc.from))
		if tc.want == "" {
			if !got.IsZero() {
				t.Errorf("%d %q: got %v, want none", i, tc.expr, got)
			}
			continue
		}
		if !got.Equal(at(tc.want)) {
			t.Errorf("%d %q from %s: got %s, want %s", i, tc.expr, tc.from, got.Format("2006-01-02 15:04"), tc.want)
		}
	}
}

func TestCronErrors(t *testing.T) {
	for i, tc := range []struct{ expr, want string }{
		{"* * * *", "want 5 fields"},
		{"60 * * * *", `minute field "60": value "60": want 0-59`},
		{"* 24 * * *", `hour field "24"`},
		{"* * 0 * *", `day of month field "0"`},
		{"*/0 * * * *", `step "0"`},
		{"5-1 * * * *", "end before start"},
		{"1,,2 * * * *", "empty list item"},
		{"* * * foo *", `month field "foo"`},
		{"* * * * 8", `day of week field "8"`},
	} {
		_, err := ParseCron(tc.expr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%d %q: got %v, want %q", i, tc.expr, err, tc.want)
		}
	}
}

func FuzzParseCron(f *testing.F) {
	for _, s := range []string{"* * * * *", "*/5 1-3 1,15 jan-mar mon", "0 0 30 2 *", "5/20 * * * 7"} {
		f.Add(s)
	}
	start := time.Date(2026, 5, 17, 10, 33, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCron(s)
		if err != nil {
			return
		}
		n := c.Next(start)
		if n.IsZero() {
			return
		}
		if !n.After(start) || n.Second() != 0 {
			t.Fatalf("%q: next %v not after %v on a minute", s, n, start)
		}
		if c.min&(1<<uint(n.Minute())) == 0 || c.hour&(1<<uint(n.Hour())) == 0 || c.mon&(1<<uint(n.Month())) == 0 || !c.dayMatches(n) {
			t.Fatalf("%q: next %v does not match", s, n)
		}
	})
}

func TestCondition(t *testing.T) {
	c, err := ParseCondition(`version > 1 && model == "ctr" && metrics.auc >= 0.9`)
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]any{"version": 2.0, "model": "ctr", "metrics.auc": 0.95}
	get := func(f string) (any, bool) { v, ok := fields[f]; return v, ok }
	if !c.Eval(get) {
		t.Error("want true")
	}
	fields["metrics.auc"] = 0.8
	if c.Eval(get) {
		t.Error("want false")
	}
	for _, bad := range []string{"version", "nope == 1", "model < x", "version == "} {
		if _, err := ParseCondition(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
