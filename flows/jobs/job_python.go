package jobs

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/eddyml/eddy/flows/pyscript"
	"github.com/eddyml/eddy/flows/spec"
	"github.com/eddyml/eddy/internal/pybridge"
	"github.com/eddyml/eddy/pipeline"
)

// KindPython is the job kind that runs a Python script (gpython) with
// the eddy module.
const KindPython = "python"

// PythonJob runs a gpython script with the eddy module (flows/pyscript),
// in process: Code inline, or the file Script (relative to the flow's
// directory), with sys.argv = [script] + Args. eddy.getenv sees Env,
// then EDDY_FLOW, EDDY_RUN, EDDY_JOB, EDDY_INSTANCE, EDDY_ATTEMPT,
// EDDY_REGISTRY, EDDY_FLOW_DIR and, for event-triggered jobs,
// EDDY_EVENT, EDDY_EVENT_MODEL, EDDY_EVENT_VERSION, EDDY_EVENT_JOB, then
// the process environment. eddy.registry() is the flow's registry, and
// relative paths the script reads and writes are resolved against the
// flow's directory. The job's timeout abandons the script.
type PythonJob struct {
	Code      string
	Script    string
	Args      []string
	Env       map[string]string
	ScriptPos spec.Pos
	CodePos   spec.Pos
	// codeLine is the flow file line of the code's first line.
	codeLine int
}

// Emits implements spec.JobConfig: the model events of a python job
// depend on its script; the kind declares them for any model.
func (*PythonJob) Emits() []spec.Emission { return nil }

// Inputs implements spec.DataJob: the script file.
func (j *PythonJob) Inputs() []spec.PathRef {
	if j.Script == "" {
		return nil
	}
	return []spec.PathRef{{Path: j.Script, Pos: j.ScriptPos}}
}

// Outputs implements spec.DataJob.
func (*PythonJob) Outputs() []spec.PathRef { return nil }

// PythonKind is the python job kind's spec.
func PythonKind() spec.JobKind {
	return spec.JobKind{
		Kind:   KindPython,
		Doc:    "run a Python (gpython) script with the eddy module: inline code or a script file, args and env; its model versions and metrics are the job's outputs",
		Fields: []string{"code", "script", "args", "env"},
		Emits: []string{spec.EventModelCreated, spec.EventModelValidated, spec.EventModelRejected,
			spec.EventModelDeployed, spec.EventModelDeprecated},
		Parse: parsePython,
	}
}

func init() {
	if err := Register(Kind{Spec: PythonKind(), New: newPython}); err != nil {
		panic(err) // a programming error in this package, caught by every test
	}
}

func parsePython(f *spec.Fields) spec.JobConfig {
	j := &PythonJob{Code: f.String("code", false), Script: f.String("script", false),
		Args: f.Strings("args"), Env: f.StringMap("env"), ScriptPos: f.Pos("script"), CodePos: f.Pos("code")}
	switch {
	case f.Has("code") && f.Has("script"):
		f.Errorf("script", "set code or script, not both")
	case !f.Has("code") && !f.Has("script"):
		f.Errorf("code", "missing: set code (inline Python) or script (a .py file)")
	}
	for k := range j.Env {
		if strings.ContainsAny(k, "=\x00") || k == "" {
			f.Errorf("env", "bad variable name %q", k)
		}
	}
	j.codeLine = j.CodePos.Line
	if n := f.Node("code"); n != nil && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		j.codeLine++ // a block scalar starts on the next line
	}
	if j.Code != "" {
		if _, err := pybridge.Compile(j.Code, "code"); err != nil {
			var pe *pybridge.Error
			if errors.As(err, &pe) && pe.Line > 0 {
				f.ErrorAt(spec.Pos{Line: j.codeLine + pe.Line - 1, Column: j.CodePos.Column}, "code: line %d: %s: %s", pe.Line, pe.Type, pe.Message)
			} else {
				f.Errorf("code", "%v", err)
			}
		}
	}
	return j
}

type pythonJob struct {
	cfg  *PythonJob
	src  string
	file string
	dir  string
}

func newPython(job *spec.Job, flow *spec.Flow) (Job, error) {
	cfg, err := configOf[*PythonJob](job)
	if err != nil {
		return nil, err
	}
	j := &pythonJob{cfg: cfg, dir: flow.Dir, src: cfg.Code}
	if cfg.Script != "" {
		j.file = flow.Path(cfg.Script)
		src, err := os.ReadFile(j.file)
		if err != nil {
			return nil, fmt.Errorf("script: %w", err)
		}
		j.src = string(src)
	} else {
		j.file = fmt.Sprintf("%s:%d (job %s code)", filepath.Base(flow.File), cfg.codeLine, job.Name)
	}
	if _, err := pybridge.Compile(j.src, j.file); err != nil {
		return nil, err
	}
	return j, nil
}

// Run runs the script once. Its outputs are the last model version it
// put into a registry (model, version, stage; models lists them all as
// name:version when there are several), the metrics of its last
// eddy.evaluate (metric.NAME) and seconds. The versions are stamped with
// the instance's lineage; a retried attempt runs the script again.
func (j *pythonJob) Run(ctx context.Context, env *Env) (*Result, error) {
	vars := map[string]string{
		"EDDY_FLOW": env.Flow.Name, "EDDY_RUN": env.RunID, "EDDY_JOB": env.Job, "EDDY_INSTANCE": env.Instance,
		"EDDY_ATTEMPT": strconv.Itoa(env.Attempt), "EDDY_REGISTRY": env.RegistryURL, "EDDY_FLOW_DIR": j.dir,
	}
	if t := env.Trigger; t != nil {
		vars["EDDY_EVENT"], vars["EDDY_EVENT_MODEL"], vars["EDDY_EVENT_JOB"] = t.Type, t.Model, t.Job
		vars["EDDY_EVENT_VERSION"] = strconv.FormatInt(t.Version, 10)
	}
	for k, v := range j.cfg.Env {
		vars[k] = v
	}
	start := time.Now()
	res, err := pyscript.RunSource(ctx, j.src, j.file, &pyscript.Options{
		Argv: j.cfg.Args, Stdout: env.Stdout, Allocator: pipeline.Allocator(ctx),
		Registry: env.Registry, RegistryURL: env.RegistryURL, Lineage: env.Lineage(), Env: vars, Dir: j.dir,
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return nil, err
	}
	out := map[string]string{"seconds": strconv.FormatFloat(time.Since(start).Seconds(), 'f', 3, 64)}
	if n := len(res.Models); n > 0 {
		last := res.Models[n-1]
		out["model"], out["version"], out["stage"] = last.Name, strconv.FormatInt(last.Version, 10), last.Stage
		if n > 1 {
			all := make([]string, n)
			for i, m := range res.Models {
				all[i] = m.Name + ":" + strconv.FormatInt(m.Version, 10)
			}
			out["models"] = strings.Join(all, ",")
		}
	}
	names := make([]string, 0, len(res.Metrics))
	for k, v := range res.Metrics {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		out["metric."+k] = strconv.FormatFloat(res.Metrics[k], 'g', 6, 64)
	}
	env.Logger.Info("python script done", "file", j.file, "models", len(res.Models))
	return &Result{Outputs: out}, nil
}
