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
