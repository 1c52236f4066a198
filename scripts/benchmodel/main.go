// Command benchmodel writes a registry holding a deployed 100-feature
// vectorassembler + logistic regression pipeline "lr100" (with its input
// schema and output columns) and prints a one-row predict body, for
// scripts/bench_http.sh.
//
//	go run ./scripts/benchmodel -registry file:///tmp/reg -body /tmp/body.json
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/estimators/logreg"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/serving/httpapi"
	"github.com/eddyml/eddy/serving/modelstore"
	"github.com/eddyml/eddy/transformers/vectorassembler"
)

func main() {
	reg := flag.String("registry", "", "registry URL to write")
	bodyPath := flag.String("body", "", "file for a one-row predict body")
	flag.Parse()
	if err := run(*reg, *bodyPath); err != nil {
		fmt.Fprintln(os.Stderr, "benchmodel:", err)
		os.Exit(1)
	}
}

func run(reg, bodyPath string) error {
	const d, rows = 100, 2000
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	names := make([]string, d)
	cols := make([]table.Column, 0, d+1)
	x := make([][]float64, d)
	label := make([]int64, rows)
	for j := range x {
		x[j] = make([]float64, rows)
		names[j] = fmt.Sprintf("f%d", j)
	}
	for i := range rows {
		s := 0.0
		for j := range d {
			x[j][i] = rng.NormFloat64()
			s += x[j][i] * float64(j%3-1)
		}
		if s > 0 {
			label[i] = 1
		}
	}
	for j := range d {
		cols = append(cols, table.Col(names[j], x[j]))
	}
	cols = append(cols, table.Col("label", label))
	rec, err := table.Build(memory.NewGoAllocator(), cols...)
	if err != nil {
		return err
	}
	defer rec.Release()
	tbl, err := table.New(rec.Schema(), rec)
	if err != nil {
		return err
	}
	defer tbl.Release()
	va, err := vectorassembler.New(map[string]any{"input_cols": names, "output_col": "features"})
	if err != nil {
		return err
	}
	lr, err := logreg.New(nil)
	if err != nil {
		return err
	}
	p, err := pipeline.NewPipeline(va, lr)
	if err != nil {
		return err
	}
	r := tbl.Reader()
	defer r.Release()
	m, err := p.Fit(ctx, r)
	if err != nil {
		return err
	}
	in, err := table.Select(rec, names...)
	if err != nil {
		return err
	}
	defer in.Release()
	var info modelstore.Info
	if err := httpapi.SetInputSchema(&info, in.Schema()); err != nil {
		return err
	}
	httpapi.SetOutputCols(&info, "prediction", "probability")
	st, err := modelstore.Open(ctx, reg)
	if err != nil {
		return err
	}
	defer st.Close()
	v, err := modelstore.PutStage(ctx, st, "lr100", m, info, nil)
	if err != nil {
		return err
	}
	for _, s := range []modelstore.Stage{modelstore.StageValidated, modelstore.StageDeployed} {
		if _, err := st.SetStage(ctx, "lr100", v.Version, s, nil); err != nil {
			return err
		}
	}
	var b strings.Builder
	b.WriteString(`{"instances":[{`)
	for j := range d {
		if j > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"f%d":%.4f`, j, x[j][0])
	}
	b.WriteString(`}]}`)
	return os.WriteFile(bodyPath, []byte(b.String()), 0o644)
}
