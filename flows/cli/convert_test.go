package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConvertRoundTripEveryFormat converts a CSV through every format and
// back, and checks eddy head prints the same table at each step.
func TestConvertRoundTripEveryFormat(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "in.csv")
	csv := "id,name,score,ok\n1,ann,0.5,true\n2,\"b, c\",,false\n3,,1e-300,true\n"
	if err := os.WriteFile(src, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	want, errOut, code := run(t, "head", src)
	if code != 0 {
		t.Fatalf("head %s: %s", src, errOut)
	}
	prev := src
	for _, name := range []string{"a.parquet", "b.jsonl", "c.arrow", "d.jsonl.gz", "e.csv.gz"} {
		next := filepath.Join(dir, name)
		out, errOut, code := run(t, "convert", prev, next)
		if code != 0 {
			t.Fatalf("convert %s -> %s: %s", prev, name, errOut)
		}
		if !strings.Contains(out, "wrote 3 rows to "+next) {
			t.Errorf("convert output %q", out)
		}
		got, errOut, code := run(t, "head", next)
		if code != 0 {
			t.Fatalf("head %s: %s", name, errOut)
		}
		if got != want {
			t.Errorf("%s differs from the source:\n%s\nwant:\n%s", name, got, want)
		}
		prev = next
	}
}

func TestConvertBadRowNamesFileLineColumnValue(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "bad.csv")
	os.WriteFile(src, []byte("a,b\n1,2\n3,x\n5,6\n"), 0o644)
	out := filepath.Join(dir, "out.parquet")
	_, errOut, code := run(t, "convert", "--schema", "b:int64", src, out)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	for _, want := range []string{"bad.csv", "line 3", "column 2 (b)", `value "x"`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("error %q does not contain %q", errOut, want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed convert left %s behind", out)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestConvertSkipWritesDeadLetter(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "bad.csv")
	os.WriteFile(src, []byte("a,b\n1,2\n3,x\n5,6\n7\n"), 0o644)
	out := filepath.Join(dir, "out.arrow")
	dead := filepath.Join(dir, "dead.txt")
	stdout, errOut, code := run(t, "convert", "--schema", "b:int64", "--on-error", "skip", "--dead-letter", dead, src, out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(stdout, "wrote 2 rows") || !strings.Contains(stdout, "skipped 2 bad rows, see "+dead) {
		t.Errorf("output %q", stdout)
	}
	got, _ := os.ReadFile(dead)
	if string(got) != "3,x\n7\n" {
		t.Errorf("dead letter = %q", got)
	}
}

func TestConvertFlagErrors(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "in.csv")
	os.WriteFile(src, []byte("a\n1\n"), 0o644)
	cases := map[string][]string{
		"--on-error: unknown error policy":      {"convert", "--on-error", "ignore", src, filepath.Join(dir, "o.csv")},
		"--dead-letter needs --on-error skip":   {"convert", "--dead-letter", filepath.Join(dir, "d"), src, filepath.Join(dir, "o.csv")},
		`unknown file format ".xlsx"`:           {"convert", src, filepath.Join(dir, "o.xlsx")},
		"--schema: schema column 1":             {"convert", "--schema", "a", src, filepath.Join(dir, "o.csv")},
		"--batch-size: must be positive, got 0": {"head", "--batch-size", "0", src},
		"no such file or directory":             {"head", filepath.Join(dir, "missing.csv")},
	}
	for want, args := range cases {
		_, errOut, code := run(t, args...)
		if code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", args, code, errOut, want)
		}
	}
}
