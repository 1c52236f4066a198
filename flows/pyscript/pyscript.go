package pyscript

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/internal/pybridge"
	"github.com/eddyml/eddy/pipeline/table"

	_ "github.com/eddyml/eddy/connectors/all" // every file format for read_csv
)

var tableClass = pybridge.NewClass("Table", "a bounded table read by eddy", map[string]pybridge.Method{
	"num_rows": func(_ context.Context, self *pybridge.Object, args []any, _ map[string]any) (any, error) {
		return self.Value.(*table.Table).NumRows(), nil
	},
	"columns": func(_ context.Context, self *pybridge.Object, args []any, _ map[string]any) (any, error) {
		s := self.Value.(*table.Table).Schema()
		names := make([]string, s.NumFields())
		for i, f := range s.Fields() {
			names[i] = f.Name
		}
		return names, nil
	},
	"head": func(_ context.Context, self *pybridge.Object, args []any, _ map[string]any) (any, error) {
		n := int64(5)
		if len(args) > 0 {
			v, ok := args[0].(int64)
			if !ok || v < 0 {
				return nil, fmt.Errorf("head(n): n must be a non-negative int")
			}
			n = v
		}
		var b strings.Builder
		if err := self.Value.(*table.Table).FormatHead(&b, int(n)); err != nil {
			return nil, err
		}
		return strings.TrimRight(b.String(), "\n"), nil
	},
}, func(o *pybridge.Object) string {
	t := o.Value.(*table.Table)
	return fmt.Sprintf("<eddy.Table %d rows x %d columns>", t.NumRows(), t.Schema().NumFields())
})

func init() {
	pybridge.MustRegisterModuleFunc("read_csv", "read_csv(path): the whole file as a table (csv, jsonl, parquet, arrow; .gz too)", readCSV)
}

func readCSV(ctx context.Context, args []any, _ map[string]any) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("takes 1 argument (path), got %d", len(args))
	}
	path, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("path must be str")
	}
	src, err := connectors.Open(ctx, path, connectors.ReadOptions{})
	if err != nil {
		return nil, err
	}
	defer src.Release()
	tbl, err := table.ReadAll(src)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	// The table lives as long as the script: its memory is Go-allocated
	// and collected with it.
	return tableClass.NewObject(tbl), nil
}

// Run runs the script at path with the eddy module, print writing to
// stdout, sys.argv = [path] + argv. A Python error points at the script
// line (*pybridge.Error).
func Run(ctx context.Context, path string, argv []string, stdout io.Writer) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return pybridge.RunScript(ctx, string(src), path, stdout, argv)
}
