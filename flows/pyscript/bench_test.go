package pyscript

import (
	"context"
	"testing"
)

// BenchmarkColumn measures handing a numeric column to Python
// (Table.column: Arrow to Go values to a Python list) and summing it in
// Python, per row.
func BenchmarkColumn(b *testing.B) {
	const rows = 100000
	src := `import eddy
t = eddy.generate(rows=100000, seed=1, num_numeric=1)
for i in range(N):
    s = sum(t.column("x0"))
`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RunSource(context.Background(), "N = 5\n"+src, "bench.py", nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(5*rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkTrain measures a small whole training script: generate 20k
// rows, split, fit a two-stage logistic regression pipeline, evaluate.
func BenchmarkTrain(b *testing.B) {
	src := `import eddy
t = eddy.generate(rows=20000, seed=1, num_numeric=8)
train, test = t.split([0.8, 0.2], seed=1)
p = eddy.pipeline([eddy.stage("vector_assembler", input_cols=["x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7"], output_col="features"),
                   eddy.stage("logistic_regression")])
m = eddy.evaluate(p.fit(train).transform(test))
`
	for b.Loop() {
		if _, err := RunSource(context.Background(), src, "train.py", nil); err != nil {
			b.Fatal(err)
		}
	}
}
