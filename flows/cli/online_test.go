package cli

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
)

func TestOnlineGenerated(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "models")
	out, errOut, code := run(t, "online", "--learner", "ftrl", "--input", "generate:classification?rows=30000&seed=3",
		"--output", dir, "--every-rows", "10000", "--param", "l1=0", "--param", "alpha=0.1")
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut)
	}
	m := regexp.MustCompile(`^online ftrl: 30000 rows in \S+s \(\S+ rows/s\), 3 model versions in .*; prequential accuracy (\S+) log_loss (\S+) auc (\S+) \(last 1000 rows: `).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("summary:\n%s", out)
	}
	if auc, _ := strconv.ParseFloat(m[3], 64); auc < 0.7 {
		t.Errorf("prequential AUC %v < 0.7", auc)
	}
	for v := 1; v <= 3; v++ {
		st, err := modelio.Load(filepath.Join(dir, fmt.Sprintf("v%06d.tar", v)), nil)
		if err != nil {
			t.Fatal(err)
		}
		md := st.(pipeline.Model).ModelData()
		got, err := pipeline.ModelVersionOf(md)
		for _, r := range md {
			r.Release()
		}
		if err != nil || got != int64(v) || st.Kind() != "logistic_regression_model" {
			t.Fatalf("v%06d.tar: kind %s version %d (%v)", v, st.Kind(), got, err)
		}
	}
	// A non-empty output needs --force.
	if _, errOut, code := run(t, "online", "--input", "generate:classification?rows=100", "--output", dir); code == 0 || !strings.Contains(errOut, "not empty") {
		t.Fatalf("non-empty output: code %d: %s", code, errOut)
	}
}

func TestOnlineCSVColumns(t *testing.T) {
	tmp := t.TempDir()
	var b strings.Builder
	b.WriteString("x0,x1,name\n")
	rng := rand.New(rand.NewPCG(1, 2))
	centres := [][2]float64{{0, 0}, {10, 10}}
	for i := range 400 {
		c := centres[i%2]
		fmt.Fprintf(&b, "%.4f,%.4f,p%d\n", c[0]+rng.NormFloat64(), c[1]+rng.NormFloat64(), i)
	}
	data := filepath.Join(tmp, "points.csv")
	if err := os.WriteFile(data, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "km")
	out, errOut, code := run(t, "online", "--learner", "online_kmeans", "--param", "k=2", "--input", data,
		"--output", dir, "--features", "x0,x1", "--every-rows", "0", "--batch-size", "50")
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "online online_kmeans: 400 rows in ") || !strings.Contains(out, "1 model versions") {
		t.Fatalf("summary:\n%s", out)
	}
	st, err := modelio.Load(filepath.Join(dir, "v000001.tar"), nil)
	if err != nil || st.Kind() != "kmeans_model" {
		t.Fatalf("load: %v, %v", st, err)
	}
}

func TestOnlineErrors(t *testing.T) {
	tmp := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--learner", "nope", "--input", "generate:classification?rows=10"}, "unknown learner kind"},
		{[]string{"--param", "alpha", "--input", "generate:classification?rows=10"}, "want name=value"},
		{[]string{"--param", "alpha=-1", "--input", "generate:classification?rows=10"}, "alpha"},
		{[]string{"--input", "generate:classification"}, "rows must be set"},
		{[]string{"--input", "generate:classification?rows=10&bogus=1"}, "bogus"},
		{[]string{"--input", "generate:classification?rows=10", "--features", "nope"}, `no column "nope"`},
		{[]string{"--input", "generate:classification?rows=10", "--every-rows", "-1"}, "--every-rows"},
	} {
		args := append([]string{"online", "--output", filepath.Join(tmp, "o")}, tc.args...)
		_, errOut, code := run(t, args...)
		if code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: code %d, stderr %q, want %q", tc.args, code, errOut, tc.want)
		}
	}
}
