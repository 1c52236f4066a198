package pyscript

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eddyml/eddy/internal/pybridge"
)

func TestReadCSV(t *testing.T) {
	iris := "../../../shared/datasets/iris.csv.gz"
	if _, err := os.Stat(iris); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "s.py")
	src := "import eddy\nt = eddy.read_csv(\"" + iris + "\")\nprint(\"rows\", t.num_rows())\nprint(eddy.join(\",\", t.columns()))\nprint(t)\n"
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Run(context.Background(), script, nil, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if lines[0] != "rows 150" || !strings.HasPrefix(lines[1], "sepal_length_cm,") || !strings.HasPrefix(lines[2], "<eddy.Table 150 rows x ") {
		t.Errorf("output:\n%s", out.String())
	}

	bad := filepath.Join(dir, "bad.py")
	if err := os.WriteFile(bad, []byte("import eddy\n\nt = eddy.read_csv(\"nope.csv\")\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Run(context.Background(), bad, nil, &out)
	var pe *pybridge.Error
	if !errors.As(err, &pe) || pe.Line != 3 || !strings.Contains(err.Error(), "eddy.read_csv") {
		t.Errorf("bad script: got %v", err)
	}
}
