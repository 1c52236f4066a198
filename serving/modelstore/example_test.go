package modelstore_test

import (
	"context"
	"fmt"
	"os"

	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/serving/modelstore"
)

// A fitted pipeline is stored as version 1, validated, deployed and
// aliased; a subscriber sees every change in order and a server loads the
// deployed version back.
func ExampleOpen() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "eddy-registry-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	store, err := modelstore.Open(ctx, "file://"+dir) // or redis://host:6379/0
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()

	model, err := pipeline.NewPipelineModel() // a fitted pipeline in real code
	if err != nil {
		fmt.Println(err)
		return
	}
	opts := &modelio.Options{Env: registry.NewEmptyEnvironment()}
	v, err := modelstore.PutStage(ctx, store, "churn", model, modelstore.Info{
		Metrics: map[string]float64{"auc": 0.91},
		Lineage: modelstore.Lineage{FlowRun: "run-1", DataSource: "data/churn.csv"},
	}, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, to := range []modelstore.Stage{modelstore.StageValidated, modelstore.StageDeployed} {
		if _, err := store.SetStage(ctx, "churn", v.Version, to, nil); err != nil {
			fmt.Println(err)
			return
		}
	}
	if err := store.SetAlias(ctx, "churn", "champion", v.Version); err != nil {
		fmt.Println(err)
		return
	}
	_, err = store.SetStage(ctx, "churn", v.Version, modelstore.StageGenerated, nil)
	fmt.Println(err)

	sub, err := modelstore.Subscribe(ctx, store, "server")
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 4 {
		ev, err := sub.Next(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(ev.Seq, ev.Type, ev.Model, ev.Version, "@"+ev.Alias)
		if err := sub.Ack(ctx, ev); err != nil {
			fmt.Println(err)
			return
		}
	}

	deployed, err := store.Deployed(ctx, "churn")
	if err != nil {
		fmt.Println(err)
		return
	}
	loaded, err := modelstore.LoadStage(ctx, store, "churn", deployed[0].Version, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("serving", loaded.Kind(), "version", deployed[0].Version, deployed[0].Aliases)
	// Output:
	// set stage: model "churn" version 1: invalid stage transition: cannot move from deployed to generated (allowed: deprecated)
	// 1 model.created churn 1 @
	// 2 model.validated churn 1 @
	// 3 model.deployed churn 1 @
	// 4 alias.set churn 1 @champion
	// serving pipeline_model version 1 [champion]
}

// Versions are numbered per model; GC removes old ones by policy but
// keeps the deployed version and every aliased one.
func ExampleOpenDir() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "eddy-registry-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	store, err := modelstore.OpenDir(dir, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	model, err := pipeline.NewPipelineModel()
	if err != nil {
		fmt.Println(err)
		return
	}
	opts := &modelio.Options{Env: registry.NewEmptyEnvironment()}
	for i := range 5 {
		v, err := modelstore.PutStage(ctx, store, "churn", model, modelstore.Info{
			Metrics: map[string]float64{"auc": float64(80+i) / 100}}, opts)
		if err != nil {
			fmt.Println(err)
			return
		}
		if v.Version == 2 {
			for _, to := range []modelstore.Stage{modelstore.StageValidated, modelstore.StageDeployed} {
				if _, err := store.SetStage(ctx, "churn", v.Version, to, nil); err != nil {
					fmt.Println(err)
					return
				}
			}
		}
	}
	if err := store.SetAlias(ctx, "churn", "baseline", 1); err != nil {
		fmt.Println(err)
		return
	}
	removed, err := store.GC(ctx, "churn", modelstore.GCPolicy{KeepLast: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range removed {
		fmt.Println("removed", v.Version)
	}
	left, _, err := store.ListVersions(ctx, "churn", modelstore.ListOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range left {
		fmt.Println(v.Version, v.Stage, v.Aliases, v.Metrics["auc"])
	}
	// Output:
	// removed 3
	// 1 generated [baseline] 0.8
	// 2 deployed [] 0.81
	// 4 generated [] 0.83
	// 5 generated [] 0.84
}
