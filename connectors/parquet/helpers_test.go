package parquet_test

import (
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/connectors/internal/conntest"
	pqconn "github.com/eddyml/eddy/connectors/parquet"
	"github.com/eddyml/eddy/pipeline/table"
)

// The shared round-trip helpers, under the names these tests use.
var (
	testSchema = conntest.Schema
	makeRecord = conntest.MakeRecord
	wantRows   = conntest.WantRows
	render     = conntest.Render
)

func rows(t *testing.T, r table.Reader, maxBatch int) []string {
	return conntest.Rows(t, r, maxBatch)
}

func equalRows(t *testing.T, got, want []string) { t.Helper(); conntest.EqualRows(t, got, want) }

func writeFile(t *testing.T, mem memory.Allocator, path string, opts pqconn.WriterOptions, total, batch int) {
	t.Helper()
	opts.Allocator = mem
	conntest.WriteFile(t, mem, func() (connectors.Writer, error) { return pqconn.Create(path, testSchema, opts) }, total, batch)
}
