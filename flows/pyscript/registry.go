package pyscript

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"time"

	"github.com/eddyml/eddy/internal/pybridge"
	"github.com/eddyml/eddy/serving/modelstore"
)

// registryHandle is the Go value of an eddy.Registry.
type registryHandle struct {
	url   string
	store modelstore.Store
}

func registryOf(o *pybridge.Object) *registryHandle { return o.Value.(*registryHandle) }

var registryClass = pybridge.NewClass("Registry", "a model registry (serving/modelstore): file://DIR or redis://host:port/db", map[string]pybridge.Method{
	"put":         registryPut,
	"stage":       registryStage,
	"deploy":      registryDeploy,
	"list_models": registryListModels,
	"versions":    registryVersions,
	"load":        registryLoad,
}, func(o *pybridge.Object) string { return fmt.Sprintf("<eddy.Registry %s>", registryOf(o).url) })

func init() {
	pybridge.MustRegisterModuleFunc("registry", "registry(url='file://.eddy'): a model registry (file://DIR or redis://host:port/db); in a flow job, the flow's registry by default", openRegistry)
	pybridge.MustRegisterModuleFunc("getenv", "getenv(name, default=None): the variable from the flow job's env, else from the process environment, else default", getenv)
}

func openRegistry(ctx context.Context, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"url"}, 0)
	if err != nil {
		return nil, err
	}
	s := sessionOf(ctx)
	if s.opts.Registry != nil {
		url, err := b.str("url", s.opts.RegistryURL)
		if err != nil {
			return nil, err
		}
		if url == s.opts.RegistryURL {
			return registryClass.NewObject(&registryHandle{url: url, store: s.opts.Registry}), nil
		}
	}
	url, err := b.str("url", modelstore.DefaultURL)
	if err != nil {
		return nil, err
	}
	st, err := modelstore.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	s.closeLater(st)
	return registryClass.NewObject(&registryHandle{url: url, store: st}), nil
}

func registryPut(ctx context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"name", "model", "metrics", "description", "params", "data_source"}, 2)
	if err != nil {
		return nil, err
	}
	name, err := b.str("name", "")
	if err != nil {
		return nil, err
	}
	s, err := stageArg(b["model"], "model")
	if err != nil {
		return nil, err
	}
	info := modelstore.Info{Lineage: modelstore.Lineage{FlowRun: sessionOf(ctx).opts.Lineage}}
	if info.Description, err = b.str("description", ""); err != nil {
		return nil, err
	}
	if info.Lineage.DataSource, err = b.str("data_source", ""); err != nil {
		return nil, err
	}
	metrics, err := b.dict("metrics")
	if err != nil {
		return nil, err
	}
	if len(metrics) > 0 {
		info.Metrics = make(map[string]float64, len(metrics))
		for k, v := range metrics {
			switch x := v.(type) {
			case float64:
				if !math.IsNaN(x) && !math.IsInf(x, 0) { // undefined metrics (a NaN log_loss) are left out
					info.Metrics[k] = x
				}
			case int64:
				info.Metrics[k] = float64(x)
			default:
				return nil, fmt.Errorf("metrics[%q] must be a number, not %s", k, typeName(v))
			}
		}
	}
	params, err := b.dict("params")
	if err != nil {
		return nil, err
	}
	if len(params) > 0 {
		info.Params = make(map[string]string, len(params))
		for k, v := range params {
			if sv, ok := v.(string); ok {
				info.Params[k] = sv
			} else {
				info.Params[k] = fmt.Sprint(v)
			}
		}
	}
	h := registryOf(self)
	v, err := modelstore.PutStage(ctx, h.store, name, s, info, nil)
	if err != nil {
		return nil, err
	}
	sessionOf(ctx).putModel(ModelVersion{Registry: h.url, Name: name, Version: v.Version, Stage: string(v.Stage)})
	return v.Version, nil
}

func nameVersion(b args) (string, int64, error) {
	name, err := b.str("name", "")
	if err != nil {
		return "", 0, err
	}
	v, err := b.int("version", 0)
	if err != nil {
		return "", 0, err
	}
	if v <= 0 {
		return "", 0, fmt.Errorf("version must be a positive int, got %d", v)
	}
	return name, v, nil
}

func registryStage(ctx context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"name", "version", "stage", "keep_others"}, 3)
	if err != nil {
		return nil, err
	}
	name, v, err := nameVersion(b)
	if err != nil {
		return nil, err
	}
	to, err := b.str("stage", "")
	if err != nil {
		return nil, err
	}
	keep, _ := b["keep_others"].(bool)
	return setStage(ctx, registryOf(self), name, v, modelstore.Stage(to), keep)
}

func setStage(ctx context.Context, h *registryHandle, name string, v int64, to modelstore.Stage, keep bool) (any, error) {
	if !to.Valid() {
		return nil, fmt.Errorf("unknown stage %q (want generated, validated, deployed, deprecated or rejected)", to)
	}
	ver, err := h.store.SetStage(ctx, name, v, to, &modelstore.StageOptions{KeepOthers: keep})
	if err != nil {
		return nil, err
	}
	sessionOf(ctx).setStage(h.url, name, v, string(ver.Stage))
	return string(ver.Stage), nil
}

// registryDeploy deploys a version, validating it first when it is new
// (generated -> validated -> deployed), as a script that evaluated its
// model means.
func registryDeploy(ctx context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"name", "version", "keep_others"}, 2)
	if err != nil {
		return nil, err
	}
	name, v, err := nameVersion(b)
	if err != nil {
		return nil, err
	}
	keep, _ := b["keep_others"].(bool)
	h := registryOf(self)
	cur, err := h.store.Get(ctx, name, v)
	if err != nil {
		return nil, err
	}
	if cur.Stage == modelstore.StageGenerated {
		if _, err := setStage(ctx, h, name, v, modelstore.StageValidated, keep); err != nil {
			return nil, err
		}
	}
	return setStage(ctx, h, name, v, modelstore.StageDeployed, keep)
}

func registryListModels(ctx context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
	if _, err := bind(a, kw, nil, 0); err != nil {
		return nil, err
	}
	return registryOf(self).store.ListModels(ctx)
}

func registryVersions(ctx context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"name"}, 1)
	if err != nil {
		return nil, err
	}
	name, err := b.str("name", "")
	if err != nil {
		return nil, err
	}
	st := registryOf(self).store
	var out []any
	var after int64
	for {
		page, next, err := st.ListVersions(ctx, name, modelstore.ListOptions{After: after})
		if err != nil {
			return nil, err
		}
		for _, v := range page {
			out = append(out, versionDict(v))
		}
		if next == 0 {
			break
		}
		after = next
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

func versionDict(v modelstore.Version) map[string]any {
	metrics := make(map[string]any, len(v.Metrics))
	for k, x := range v.Metrics {
		metrics[k] = x
	}
	aliases := make([]string, len(v.Aliases))
	copy(aliases, v.Aliases)
	sort.Strings(aliases)
	return map[string]any{
		"model": v.Model, "version": v.Version, "stage": string(v.Stage), "metrics": metrics,
		"description": v.Description, "aliases": aliases, "size": v.Size,
		"created": v.Created.UTC().Format(time.RFC3339),
	}
}

// registryLoad loads a version as a model; without a version, the
// deployed one (the newest if several), else the latest.
func registryLoad(ctx context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"name", "version"}, 1)
	if err != nil {
		return nil, err
	}
	name, err := b.str("name", "")
	if err != nil {
		return nil, err
	}
	v, err := b.int("version", 0)
	if err != nil {
		return nil, err
	}
	st := registryOf(self).store
	if v <= 0 {
		dep, err := st.Deployed(ctx, name)
		if err != nil && !errors.Is(err, modelstore.ErrNotFound) {
			return nil, err
		}
		if len(dep) > 0 {
			v = dep[0].Version
		} else {
			latest, err := st.Latest(ctx, name)
			if err != nil {
				return nil, err
			}
			v = latest.Version
		}
	}
	s, err := modelstore.LoadStage(ctx, st, name, v, nil)
	if err != nil {
		return nil, err
	}
	closeStages(sessionOf(ctx), s)
	return wrapStage(s), nil
}

func getenv(ctx context.Context, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"name", "default"}, 1)
	if err != nil {
		return nil, err
	}
	name, err := b.str("name", "")
	if err != nil {
		return nil, err
	}
	if v, ok := sessionOf(ctx).opts.Env[name]; ok {
		return v, nil
	}
	if v, ok := os.LookupEnv(name); ok {
		return v, nil
	}
	return b["default"], nil
}
