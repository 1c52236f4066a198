package all_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors"
	_ "github.com/eddyml/eddy/connectors/all"
	"github.com/eddyml/eddy/pipeline/table"
)

// TestEveryWriterAborts checks that every registered format can discard a
// half-written file, so a failed convert leaves nothing behind.
func TestEveryWriterAborts(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, err := table.Build(mem, table.Col("x", []float64{1, 2}))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	for _, f := range connectors.Formats() {
		dir := t.TempDir()
		path := filepath.Join(dir, "out"+f.Extensions[0])
		w, err := connectors.Create(path, rec.Schema(), connectors.WriteOptions{Allocator: mem})
		if err != nil {
			t.Fatalf("%s: %v", f.Kind, err)
		}
		if err := w.Write(rec); err != nil {
			t.Fatalf("%s: %v", f.Kind, err)
		}
		a, ok := w.(connectors.Aborter)
		if !ok {
			t.Errorf("%s writer cannot abort", f.Kind)
			w.Close()
			continue
		}
		if err := a.Abort(); err != nil {
			t.Errorf("%s: abort: %v", f.Kind, err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%s: abort left %v", f.Kind, entries)
		}
	}
}
