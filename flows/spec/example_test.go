package spec_test

import (
	"fmt"
	"time"

	_ "github.com/eddyml/eddy/estimators/all"
	"github.com/eddyml/eddy/flows/spec"
	_ "github.com/eddyml/eddy/transformers/all"
)

func ExampleParsePipeline() {
	s, err := spec.ParsePipeline("p.yaml", []byte(`
split: {test: 0.2, seed: 7}
stages:
  - kind: vector_assembler
    params: {input_cols: [a, b], output_col: features}
  - kind: logistic_regression
    params: {features_col: features}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := s.Build(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, st := range p.Children() {
		fmt.Println(st.Kind())
	}
	fmt.Println(s.Split.Test, s.Split.Seed, s.LabelCol)

	// Every problem at once, each at its line and column.
	_, err = spec.ParsePipeline("bad.yaml", []byte(`stages:
  - kind: vector_asembler
  - kind: standard_scaler
    params: {with_mean: maybe, input: x}
`))
	for _, p := range spec.Problems(err) {
		fmt.Println(p)
	}
	// Output:
	// vector_assembler
	// logistic_regression
	// 0.2 7 label
	// bad.yaml:2:11: stage 1 (vector_asembler): unknown kind "vector_asembler"; did you mean vector_assembler?
	// bad.yaml:4:25: stage 2 (standard_scaler): param "with_mean": want bool, got string "maybe"
	// bad.yaml:4:32: stage 2 (standard_scaler): unknown param "input"; did you mean input_col?; known params: input_col, model_version_col, output_col, with_mean, with_std
}

func ExampleParseFlow() {
	src := `name: demo
jobs:
  gen: {kind: ingest, from: {generate: {rows: 1000, seed: 1}}, to: data.csv}
  fit:
    kind: train
    after: [gen]
    input: data.csv
    model: demo
    pipeline: {stages: [{kind: vector_assembler, params: {input_cols: [x0, x1], output_col: f}},
                        {kind: logistic_regression, params: {features_col: f}}]}
  ship: {kind: deploy, model: demo, on: {event: model.validated, model: demo}}
`
	_, err := spec.ParseFlow("demo.yaml", []byte(src))
	for _, p := range spec.Problems(err) {
		fmt.Println(p)
	}
	// Output:
	// demo.yaml:11:49: job "ship": on model.validated: nothing in this flow emits model.validated for model "demo"
}

func ExampleCron_Next() {
	c, err := spec.ParseCron("*/15 9-17 * * mon-fri")
	if err != nil {
		fmt.Println(err)
		return
	}
	t := time.Date(2026, 1, 2, 17, 50, 0, 0, time.UTC) // a Friday
	fmt.Println(c.Next(t).Format("Mon 2006-01-02 15:04"))
	// Output:
	// Mon 2026-01-05 09:00
}
