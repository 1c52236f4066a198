package pyscript

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/internal/pybridge"
)

var update = flag.Bool("update", false, "rewrite the golden .out files of testdata")

// datasets returns the shared datasets directory, skipping the test when
// it is missing (failing under CI=true).
func datasets(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../../shared/datasets")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"iris.csv.gz", "breast_cancer.csv.gz"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal(err)
			}
			t.Skip(err)
		}
	}
	return dir
}

// runScript runs testdata/name with argv [datasets, out] on a checked
// allocator and returns its output, with the error (if any) appended and
// the two directories replaced by DATA and OUT.
func runScript(t *testing.T, name, data, out string) (string, *Result, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var b bytes.Buffer
	res, err := RunWith(context.Background(), filepath.Join("testdata", name), &Options{Argv: []string{data, out}, Stdout: &b, Allocator: mem})
	if err != nil {
		b.WriteString("error: " + err.Error() + "\n")
	}
	s := strings.ReplaceAll(b.String(), out, "OUT")
	return strings.ReplaceAll(s, data, "DATA"), res, err
}

// TestScripts runs every testdata/*.py and compares its output (and
// error) with testdata/*.out; go test -update rewrites them.
func TestScripts(t *testing.T) {
	data := datasets(t)
	scripts, err := filepath.Glob("testdata/*.py")
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) < 5 {
		t.Fatalf("found %d scripts", len(scripts))
	}
	for _, path := range scripts {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".py"), func(t *testing.T) {
			got, _, err := runScript(t, name, data, t.TempDir())
			if strings.HasPrefix(name, "error_") != (err != nil) {
				t.Errorf("error = %v", err)
			}
			golden := strings.TrimSuffix(path, ".py") + ".out"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s:\n--- got\n%s--- want\n%s", golden, got, want)
			}
		})
	}
}

// TestErrorLines checks that Go errors raised by eddy functions point at
// the script line that called them, innermost Python frame first.
func TestErrorLines(t *testing.T) {
	for _, tc := range []struct {
		script string
		line   int
		want   string
	}{
		{"error_stage.py", 5, "eddy.pipeline: stage 1 must be an eddy.Stage or eddy.Model, not eddy.Table"},
		{"error_param.py", 4, "max_iter"},
		{"error_fit.py", 4, `Stage.fit: stage "logistic_regression": fit: column "nope" not found`},
		{"error_kwarg.py", 2, `unexpected keyword argument "sead"`},
		{"error_learner_param.py", 4, `eddy.learner: stage "ftrl": param "alpha": must be > 0, got -1`},
		{"error_learner_kind.py", 4, `eddy.learner: unknown learner kind "frtl" (known: ftrl, `},
	} {
		t.Run(tc.script, func(t *testing.T) {
			_, _, err := runScript(t, tc.script, "", t.TempDir())
			var pe *pybridge.Error
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *pybridge.Error", err)
			}
			if pe.File != filepath.Join("testdata", tc.script) || pe.Line != tc.line || !strings.Contains(pe.Message, tc.want) {
				t.Errorf("got %s:%d %q, want line %d containing %q", pe.File, pe.Line, pe.Message, tc.line, tc.want)
			}
		})
	}
}

func TestReadCSVAcceptance(t *testing.T) {
	data := datasets(t)
	var out bytes.Buffer
	src := "import eddy\nt = eddy.read_csv(\"" + data + "/iris.csv.gz\")\nprint(\"rows\", t.num_rows())\n"
	if _, err := RunSource(context.Background(), src, "accept.py", &Options{Stdout: &out}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "rows 150\n" {
		t.Errorf("got %q", out.String())
	}
	_, err := RunSource(context.Background(), "import eddy\n\nt = eddy.read_csv(\"nope.csv\")\n", "bad.py", nil)
	var pe *pybridge.Error
	if !errors.As(err, &pe) || pe.Line != 3 || !strings.Contains(err.Error(), "eddy.read_csv") {
		t.Errorf("bad script: got %v", err)
	}
}

// TestColumnValues checks the Python values of columns with nulls,
// strings and vectors.
func TestColumnValues(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	csv := filepath.Join(dir, "d.csv")
	if err := os.WriteFile(csv, []byte("a,b,s\n1.5,1,x\n,2,\n-0.25,,z\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := `import eddy
t = eddy.read_csv(PATH)
print(t.column("a"), t.column("b"), t.column("s"))
v = eddy.stage("vector_assembler", input_cols=["b"], output_col="v", handle_invalid="keep").transform(t)
print(v.column("v"))
print(eddy.json_dumps(v.rows(1)))
print(len(v.rows()), v.rows(0))
`
	var out bytes.Buffer
	_, err := RunSource(context.Background(), "PATH = \""+csv+"\"\n"+src, "v.py", &Options{Stdout: &out, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	want := `[1.5, None, -0.25] [1, 2, None] ['x', None, 'z']
[[1.0], [2.0], [NaN]]
[{"a":1.5,"b":1,"s":"x","v":[1]}]
3 []
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
