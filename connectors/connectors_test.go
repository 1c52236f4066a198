package connectors

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
)

func TestRowErrorNamesWhereAndWhat(t *testing.T) {
	base := errors.New("not a number")
	cases := []struct {
		err  *RowError
		want string
	}{
		{&RowError{File: "a.csv", Line: 7, Column: "age", Index: 2, Value: "x1", Err: base},
			`a.csv:line 7, column 3 (age), value "x1": not a number`},
		{&RowError{Line: 3, Index: -1, Err: errors.New("unterminated quote")},
			`line 3: unterminated quote`},
		{&RowError{File: "b.jsonl", Line: 1, Column: "v", Index: -1, Value: strings.Repeat("z", 100), Err: base},
			`b.jsonl:line 1, column 0 (v), value "` + strings.Repeat("z", 61) + `...": not a number`},
	}
	for i, c := range cases {
		if got := c.err.Error(); got != c.want {
			t.Errorf("%d: got %q\nwant %q", i, got, c.want)
		}
	}
	if !errors.Is(cases[0].err, base) {
		t.Error("RowError does not unwrap to its cause")
	}
}

func TestParseErrorPolicy(t *testing.T) {
	for in, want := range map[string]ErrorPolicy{"": Fail, "fail": Fail, "SKIP": Skip} {
		got, err := ParseErrorPolicy(in)
		if err != nil || got != want {
			t.Errorf("ParseErrorPolicy(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseErrorPolicy("ignore"); err == nil || !strings.Contains(err.Error(), `"ignore"`) {
		t.Errorf("want an error naming the bad policy, got %v", err)
	}
}

func TestFormatRegistry(t *testing.T) {
	Register(Format{Kind: "test-fmt", Extensions: []string{".tfmt"},
		Open: func(ctx context.Context, path string, o ReadOptions) (Source, error) {
			if o.BatchSize != DefaultBatchSize || o.Allocator == nil {
				t.Errorf("Open got options without defaults: %+v", o)
			}
			return nil, errors.New("opened " + path)
		}})
	f, err := FormatFor("/x/Data.TFMT.gz")
	if err != nil || f.Kind != "test-fmt" {
		t.Fatalf("FormatFor = %v, %v", f.Kind, err)
	}
	if _, err := Open(context.Background(), "d.tfmt", ReadOptions{}); err == nil || err.Error() != "opened d.tfmt" {
		t.Errorf("Open did not reach the format: %v", err)
	}
	if _, err := Create("d.tfmt", arrow.NewSchema(nil, nil), WriteOptions{}); err == nil || !strings.Contains(err.Error(), "cannot be written") {
		t.Errorf("Create of a read-only format: %v", err)
	}
	if _, err := FormatFor("d.unknownext"); err == nil || !strings.Contains(err.Error(), `".unknownext"`) {
		t.Errorf("unknown extension error: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a claimed extension did not panic")
		}
	}()
	Register(Format{Kind: "test-fmt-2", Extensions: []string{".tfmt"}})
}

func TestAtomicGzipRoundTripAndProgress(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"plain.txt", "packed.txt.gz"} {
		path := filepath.Join(dir, name)
		w, err := CreateFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var want strings.Builder
		for i := range 5000 {
			want.WriteString(strconv.Itoa(i) + "\n")
		}
		if _, err := io.WriteString(w, want.String()); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatalf("%s visible before Close: %v", name, err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		read, total := r.(Progresser).Progress()
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		if string(got) != want.String() {
			t.Errorf("%s: content differs after round trip", name)
		}
		if read != total || total == 0 {
			t.Errorf("%s: progress %d/%d after reading everything", name, read, total)
		}
		if IsGzip(path) && total >= int64(len(got)) {
			t.Errorf("%s: not compressed (%d bytes on disk for %d)", name, total, len(got))
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestAtomicFileAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	w, err := CreateFile(filepath.Join(dir, "x.csv"))
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "partial")
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("abort left %v", entries)
	}
	if _, err := OpenFile(filepath.Join(dir, "missing.csv")); err == nil {
		t.Error("opening a missing file succeeded")
	}
	os.WriteFile(filepath.Join(dir, "bad.csv.gz"), []byte("not gzip"), 0o644)
	if _, err := OpenFile(filepath.Join(dir, "bad.csv.gz")); err == nil || !strings.Contains(err.Error(), "not a gzip file") {
		t.Errorf("bad gzip: %v", err)
	}
}
