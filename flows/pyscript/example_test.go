package pyscript_test

import (
	"context"
	"fmt"
	"os"

	"github.com/eddyml/eddy/flows/pyscript"
)

// A training script: generate data, split it, fit a pipeline chosen by
// kind names, evaluate it and keep the metrics in the Result.
func ExampleRunSource() {
	src := `import eddy
t = eddy.generate(kind="classification", rows=2000, seed=1, num_numeric=4)
print("rows", t.num_rows(), t.columns())
train, test = t.split([0.8, 0.2], seed=1)
pipe = eddy.pipeline([
    eddy.stage("vector_assembler", {"input_cols": ["x0", "x1", "x2", "x3"], "output_col": "features"}),
    eddy.stage("logistic_regression"),
])
model = pipe.fit(train)
m = eddy.evaluate(model.transform(test), task="binary")
print(model, "accuracy", eddy.round(m["accuracy"], 2))
`
	res, err := pyscript.RunSource(context.Background(), src, "train.py", &pyscript.Options{Stdout: os.Stdout})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("accuracy above 0.6: %v\n", res.Metrics["accuracy"] > 0.6)
	// Output:
	// rows 2000 ['x0', 'x1', 'x2', 'x3', 'label', 'ts']
	// <eddy.Model pipeline_model of 2 stages> accuracy 0.71
	// accuracy above 0.6: true
}

// An error raised by an eddy function points at the script line.
func ExampleRunSource_error() {
	src := "import eddy\n\nt = eddy.generate(rows=10)\nprint(t.column(\"nope\"))\n"
	_, err := pyscript.RunSource(context.Background(), src, "bad.py", nil)
	fmt.Println(err)
	// Output:
	// bad.py:4: RuntimeError: Table.column: column "nope" not found; available columns: x0, x1, x2, x3, label, ts
	// Traceback (most recent call last):
	//   File "bad.py", line 4, in <module>
	//     print(t.column("nope"))
	// RuntimeError: Table.column: column "nope" not found; available columns: x0, x1, x2, x3, label, ts
}

// An online learner from Python: FTRL learns a stream batch by batch
// test-then-train, a prequential evaluator scores its predictions, and
// its state becomes a batch model.
func ExampleRunSource_online() {
	src := `import eddy
t = eddy.generate(rows=4000, seed=2, num_numeric=4)
data = eddy.stage("vector_assembler", input_cols=["x0", "x1", "x2", "x3"], output_col="features").transform(t)
learner = eddy.learner("ftrl", alpha=0.1)
ev = eddy.prequential("binary", window=1000)
for start in range(0, data.num_rows(), 500):
    ev.update(learner.update_predict(data.slice(start, 500)))
m = ev.metrics()
print(learner, "window auc above 0.7:", m["window_auc"] > 0.7, "of", m["window_rows"], "rows")
print(learner.model(), eddy.join(", ", learner.model().transform(data.slice(0, 5)).columns()[-3:]))
`
	if _, err := pyscript.RunSource(context.Background(), src, "online.py", &pyscript.Options{Stdout: os.Stdout}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// <eddy.Learner ftrl, 4000 rows learned> window auc above 0.7: True of 1000 rows
	// <eddy.Model logistic_regression_model> prediction, raw_prediction, probability
}
