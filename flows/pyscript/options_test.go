package pyscript

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/serving/modelstore"
)

// TestRunOptions checks what a flow job passes: env for eddy.getenv, a
// directory for relative paths, and a shared registry whose versions get
// the job's lineage.
func TestRunOptions(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	dir := t.TempDir()
	url := "file://" + filepath.Join(dir, "reg")
	reg, err := modelstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	t.Setenv("EDDY_TEST_PROCESS_VAR", "process")
	src := `import eddy
print(eddy.getenv("ONLY_JOB"), eddy.getenv("EDDY_TEST_PROCESS_VAR"), eddy.getenv("NOPE"), eddy.getenv("NOPE", "dflt"))
t = eddy.generate(kind="classification", rows=200, seed=2, num_numeric=2)
print(eddy.write(t, "t.csv"), eddy.read("t.csv").num_rows())
model = eddy.pipeline([eddy.stage("vector_assembler", {"input_cols": ["x0", "x1"], "output_col": "features"}),
                      eddy.stage("logistic_regression")]).fit(t)
print(model.save("m.tar"), eddy.load("m.tar"))
r = eddy.registry()
print(r, eddy.registry(eddy.getenv("REG")))
print(r.put("m", model, metrics=eddy.evaluate(model.transform(t))))
`
	var out bytes.Buffer
	res, err := RunSource(ctx, src, "opts.py", &Options{Stdout: &out, Allocator: mem, Dir: dir,
		Env: map[string]string{"ONLY_JOB": "job", "REG": url}, Registry: reg, RegistryURL: url, Lineage: "run-1/job#1"})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if len(lines) < 5 || lines[0] != "job process None dflt" || lines[1] != "200 200" || lines[3] != "<eddy.Registry "+url+"> <eddy.Registry "+url+">" || lines[4] != "1" {
		t.Errorf("output:\n%s", out.String())
	}
	for _, f := range []string{"t.csv", "m.tar"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("relative path not under Dir: %v", err)
		}
	}
	if len(res.Models) != 1 || res.Models[0].Version != 1 || res.Metrics["auc"] == 0 {
		t.Errorf("result %+v", res)
	}
	// The shared registry is still open, and the version has the lineage.
	v, err := reg.Get(ctx, "m", 1)
	if err != nil {
		t.Fatal(err)
	}
	if v.Lineage.FlowRun != "run-1/job#1" {
		t.Errorf("lineage %+v", v.Lineage)
	}
}
