package notebooks_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// jupyter returns the jupyter command able to run nbconvert, skipping
// the test (failing it under CI=true) when there is none.
func jupyter(t *testing.T) string {
	t.Helper()
	var candidates []string
	if _, err := os.Stat("/usr/bin/jupyter"); err == nil {
		candidates = append(candidates, "/usr/bin/jupyter") // Debian's, on /usr/bin/python3
	}
	if p, err := exec.LookPath("jupyter"); err == nil {
		candidates = append(candidates, p)
	}
	for _, c := range candidates {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := exec.CommandContext(ctx, c, "nbconvert", "--version").Run()
		cancel()
		if err == nil {
			return c
		}
	}
	msg := "jupyter nbconvert not found (run scripts/install-jupyter.sh, which `make test` does)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// datasets returns the absolute path of ../shared/datasets.
func datasets(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../shared/datasets")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "iris.csv.gz")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared datasets missing under CI: %v", err)
		}
		t.Skipf("shared datasets not found: %v", err)
	}
	return dir
}

// output is the text of a notebook's outputs.
type notebook struct {
	Cells []struct {
		CellType string `json:"cell_type"`
		Outputs  []struct {
			OutputType string          `json:"output_type"`
			Name       string          `json:"name"`
			Text       json.RawMessage `json:"text"`
			Data       map[string]json.RawMessage
			Ename      string `json:"ename"`
			Evalue     string `json:"evalue"`
		} `json:"outputs"`
	} `json:"cells"`
}

// multiline decodes nbformat's text: a string or a list of strings.
func multiline(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []string
	_ = json.Unmarshal(raw, &parts)
	return strings.Join(parts, "")
}

func TestNotebooksExecute(t *testing.T) {
	if testing.Short() {
		t.Skip("builds eddy and runs jupyter")
	}
	jup := jupyter(t)
	data := datasets(t)
	tmp := t.TempDir()

	eddy := filepath.Join(tmp, "eddy")
	build := exec.Command("go", "build", "-o", eddy, "../cmd/eddy")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	prefix := filepath.Join(tmp, "prefix")
	if out, err := exec.Command(eddy, "kernel", "install", "--prefix", prefix).CombinedOutput(); err != nil {
		t.Fatalf("kernel install: %v\n%s", err, out)
	}
	env := append(os.Environ(),
		"JUPYTER_PATH="+filepath.Join(prefix, "share", "jupyter"),
		"JUPYTER_DATA_DIR="+filepath.Join(tmp, "data"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(tmp, "runtime"),
		"JUPYTER_CONFIG_DIR="+filepath.Join(tmp, "config"),
		"JUPYTER_PLATFORM_DIRS=1",
		"EDDY_DATASETS="+data,
		"TMPDIR="+tmp, // eddy.temp_dir folders of the notebooks
	)

	type notebookCase struct {
		file   string
		want   []string
		images int // PNG outputs (640x400 plots)
	}
	cases := []notebookCase{
		{"quickstart.ipynb", []string{"generated 2000 rows: x0, x1, x2, x3, label, ts", "pipeline_model of 2 stages", "auc 0.", "rows x 5 columns]", "probability"}, 0},
		{"iris.ipynb", []string{"rows 150", "<eddy.Table 150 rows x 5 columns>", "<table>", "train ", "accuracy 0.9", "log_loss 0.", "[5 of ", "50:0.9"}, 2},
		{"online_ftrl.ipynb", []string{"stream of 20000 rows: x0, x1, x2, x3, c0, c1, c2, label, ts", "ftrl, online_gaussian_nb, ",
			"<eddy.Learner ftrl, 0 rows learned>", "5000 rows: window AUC 0.", "20000 rows: window AUC 0.",
			"ADWIN detected a change in the error rate at rows [1", "final: 20000 rows, cumulative AUC 0.7",
			"last 2000 rows: AUC 0.7", "<eddy.Model logistic_regression_model> on the next 2000 rows: AUC 0.7"}, 1},
		{"flow.ipynb", []string{"wrote flow.yaml, 38 lines", "flow walkthrough succeeded", "ingest#1 succeeded rows=4000",
			"holdout#1 succeeded rows=1000", "train#1 succeeded stage=generated version=1", "validate#1 succeeded auc=0.",
			"deploy#1 succeeded stage=deployed version=1", "ctr version 1 deployed: auc 0.", "deployed model on 2000 new rows: auc 0.",
			"second run succeeded: ", "ctr version 1 deprecated", "ctr version 2 deployed"}, 0},
	}
	all, err := filepath.Glob("*.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range all {
		if !slices.ContainsFunc(cases, func(c notebookCase) bool { return c.file == f }) {
			t.Errorf("notebook %s has no test case", f)
		}
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			outDir := filepath.Join(tmp, "out")
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, jup, "nbconvert", "--to", "notebook", "--execute",
				"--ExecutePreprocessor.kernel_name=eddy", "--ExecutePreprocessor.timeout=120",
				"--output-dir", outDir, tc.file)
			cmd.Env = env
			start := time.Now()
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("nbconvert: %v\n%s", err, out)
			}
			t.Logf("%s executed in %v", tc.file, time.Since(start).Round(time.Millisecond))
			raw, err := os.ReadFile(filepath.Join(outDir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			var nb notebook
			if err := json.Unmarshal(raw, &nb); err != nil {
				t.Fatal(err)
			}
			var text strings.Builder
			images := 0
			for i, c := range nb.Cells {
				if c.CellType != "code" {
					continue
				}
				for _, o := range c.Outputs {
					switch o.OutputType {
					case "error":
						t.Errorf("cell %d: %s: %s", i, o.Ename, o.Evalue)
					case "stream":
						text.WriteString(multiline(o.Text))
					case "execute_result", "display_data":
						if d, ok := o.Data["image/png"]; ok {
							images++
							checkPNG(t, d, 640, 400)
						}
						for mime, d := range o.Data {
							if strings.HasPrefix(mime, "text/") {
								text.WriteString(multiline(d))
								text.WriteString("\n")
							}
						}
					}
				}
			}
			if images != tc.images {
				t.Errorf("%d PNG outputs, want %d", images, tc.images)
			}
			for _, w := range tc.want {
				if !strings.Contains(text.String(), w) {
					t.Errorf("outputs lack %q:\n%s", w, text.String())
				}
			}
		})
	}
}

// checkPNG decodes a base64 image/png output and checks its size.
func checkPNG(t *testing.T, raw json.RawMessage, w, h int) {
	t.Helper()
	data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(multiline(raw)))
	if err != nil {
		t.Errorf("image/png: %v", err)
		return
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Errorf("image/png: %v", err)
		return
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Errorf("image/png is %dx%d, want %dx%d", b.Dx(), b.Dy(), w, h)
	}
}
