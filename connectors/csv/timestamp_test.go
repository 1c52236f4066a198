package csv

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors"
)

func TestTimestampColumnsReadAndWrite(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	data := "id,at\n" +
		"1,2024-01-01T00:00:01.5Z\n" +
		"2,2024-01-01 00:00:02\n" +
		"3,2024-01-02\n" +
		"4,\n" +
		"5,1704067200000\n" +
		"6,2024-01-01T01:00:00+01:00\n"
	if err := os.WriteFile(in, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "at", Type: arrow.FixedWidthTypes.Timestamp_ms, Nullable: true}}, nil)
	r, err := Open(context.Background(), in, Options{ReadOptions: connectors.ReadOptions{Allocator: mem, Schema: schema}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	if !r.Next() {
		t.Fatal(r.Err())
	}
	rec := r.Record()
	got := rec.Column(1).(*array.Timestamp)
	want := []int64{1704067201500, 1704067202000, 1704153600000, 0, 1704067200000, 1704067200000}
	for i, w := range want {
		if i == 3 {
			if !got.IsNull(3) {
				t.Error("empty timestamp is not null")
			}
			continue
		}
		if int64(got.Value(i)) != w {
			t.Errorf("row %d = %d, want %d", i, got.Value(i), w)
		}
	}

	out := filepath.Join(dir, "out.csv")
	w, err := Create(out, rec.Schema(), WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	written, _ := os.ReadFile(out)
	wantText := "id,at\n1,2024-01-01T00:00:01.5Z\n2,2024-01-01T00:00:02Z\n3,2024-01-02T00:00:00Z\n4,\n5,2024-01-01T00:00:00Z\n6,2024-01-01T00:00:00Z\n"
	if string(written) != wantText {
		t.Errorf("written:\n%s\nwant:\n%s", written, wantText)
	}
}

func TestTimestampBadValueNamesRow(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "at", Type: arrow.FixedWidthTypes.Timestamp_s, Nullable: true}}, nil)
	r, err := NewReader(context.Background(), strings.NewReader("at\n2024-01-01\nyesterday\n"),
		Options{ReadOptions: connectors.ReadOptions{Allocator: mem, Schema: schema}, Name: "t.csv"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	for r.Next() {
	}
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), `t.csv:line 3, column 1 (at), value "yesterday": not a timestamp`) {
		t.Errorf("error = %v", err)
	}
}
