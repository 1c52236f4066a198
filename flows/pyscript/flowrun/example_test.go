package flowrun_test

import (
	"context"
	"fmt"
	"os"

	"github.com/eddyml/eddy/flows/pyscript"
	_ "github.com/eddyml/eddy/flows/pyscript/flowrun" // sets eddy.flow_run
)

// A script writes a flow (ingest, then train) into a temporary folder,
// runs it with eddy.flow_run and reads the trained version from the
// registry the run used.
func Example() {
	src := `import eddy
d = eddy.temp_dir()
path = eddy.write_text(d + "/flow.yaml", """name: tiny
jobs:
  ingest: {kind: ingest, from: {generate: {seed: 1, rows: 1000, num_numeric: 2}}, to: data.parquet}
  train:
    kind: train
    after: [ingest]
    input: data.parquet
    model: tiny
    pipeline:
      stages:
        - {kind: vector_assembler, params: {input_cols: [x0, x1], output_col: features}}
        - {kind: logistic_regression}
""")
run = eddy.flow_run(path, quiet=True)
print(run["flow"], run["status"])
for i in run["instances"]:
    print(i["id"], i["status"], i["outputs"].get("version", "-"))
print([v["stage"] for v in eddy.registry(run["registry"]).versions("tiny")])
`
	if _, err := pyscript.RunSource(context.Background(), src, "flow.py", &pyscript.Options{Stdout: os.Stdout}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// tiny succeeded
	// ingest#1 succeeded -
	// train#1 succeeded 1
	// ['generated']
}
