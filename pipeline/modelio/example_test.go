package modelio_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/internal/toystage"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
)

// A fitted pipeline is saved to a single file and loaded back through the
// registry; the loaded model scores like the original.
func ExampleSave() {
	ctx := context.Background()
	env := registry.NewEmptyEnvironment() // registry.NewEnvironment() in real code
	if err := toystage.Register(env); err != nil {
		fmt.Println(err)
		return
	}
	rec, err := table.Build(memory.DefaultAllocator, table.Col("x", []float64{1, 2, 6}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()
	train, err := table.New(rec.Schema(), rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer train.Release()
	center, err := toystage.NewMeanCenter(map[string]any{"input_col": "x", "output_col": "centered"})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := pipeline.NewPipeline(center)
	if err != nil {
		fmt.Println(err)
		return
	}
	r := train.Reader()
	model, err := p.Fit(ctx, r)
	r.Release()
	if err != nil {
		fmt.Println(err)
		return
	}

	dir, err := os.MkdirTemp("", "eddy-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.tar")
	opts := &modelio.Options{Env: env}
	if err := modelio.Save(model, path, opts); err != nil {
		fmt.Println(err)
		return
	}
	meta, err := modelio.ReadMetadata(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(meta.Kind, meta.Type, meta.Stages)

	loaded, err := modelio.Load(path, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := loaded.(pipeline.Transformer).Transform(ctx, rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	centered, err := table.Float64s(out.Column(1))
	fmt.Println(centered, err)
	// Output:
	// pipeline_model model [stages/00-mean_center_model]
	// [-2 -1 3] <nil>
}
