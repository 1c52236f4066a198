package pyscript

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/eddyml/eddy/internal/pybridge"
)

// FlowRequest is what eddy.flow_run asks a FlowRunner to run.
type FlowRequest struct {
	// Path is the flow file, resolved against Options.Dir.
	Path string
	// Registry and State override the flow's stores (registry URL, run
	// store directory) when not empty; relative paths are resolved
	// against Options.Dir.
	Registry, State string
	// NewRun starts a new run even if the latest one did not finish.
	NewRun bool
	// Stdout receives the output of the flow's jobs (nil discards it).
	Stdout io.Writer
}

// FlowInstance is one job instance of a flow run.
type FlowInstance struct {
	ID, Job, Status, Cause, Error string
	Attempts                      int
	// Outputs are what the job reported (a model version, a metric).
	Outputs map[string]string
}

// FlowRun is the outcome of a flow run.
type FlowRun struct {
	Flow, ID, Status, Error string
	// Registry is the URL of the registry the run used.
	Registry string
	// Instances are in creation order.
	Instances []FlowInstance
}

// FlowRunner runs a flow file to its end for eddy.flow_run. Package
// flows/pyscript/flowrun sets it (this package cannot import the
// scheduler: flows/jobs imports it for its python job); without it
// eddy.flow_run is an error. err is for failures to start or record the
// run; a run whose jobs failed returns its FlowRun with Status failed,
// and its error.
type FlowRunner func(ctx context.Context, req FlowRequest) (*FlowRun, error)

var (
	flowMu     sync.RWMutex
	flowRunner FlowRunner
)

// SetFlowRunner sets what eddy.flow_run calls.
func SetFlowRunner(r FlowRunner) {
	flowMu.Lock()
	flowRunner = r
	flowMu.Unlock()
}

func init() {
	pybridge.MustRegisterModuleFunc("write_text", "write_text(path, text): write text to a file (created or truncated, directories made); returns the path", writeText)
	pybridge.MustRegisterModuleFunc("read_text", "read_text(path): a text file's contents", readText)
	pybridge.MustRegisterModuleFunc("temp_dir", "temp_dir(prefix='eddy-'): a new temporary directory (removed when an `eddy python` script ends)", tempDir)
	pybridge.MustRegisterModuleFunc("flow_run", "flow_run(path, registry=None, state=None, new=False, quiet=False): run a flow file (jobs' output to the script's stdout unless quiet) to its end with the scheduler (embedded stores); a dict: flow, id, status, error, registry, instances [{id, job, status, cause, attempts, error, outputs}]", flowRun)
}

func writeText(ctx context.Context, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"path", "text"}, 2)
	if err != nil {
		return nil, err
	}
	path, err := b.str("path", "")
	if err != nil {
		return nil, err
	}
	text, err := b.str("text", "")
	if err != nil {
		return nil, err
	}
	p := sessionOf(ctx).path(path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		return nil, err
	}
	return path, nil
}

func readText(ctx context.Context, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"path"}, 1)
	if err != nil {
		return nil, err
	}
	path, err := b.str("path", "")
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(sessionOf(ctx).path(path))
	if err != nil {
		return nil, err
	}
	return string(data), nil
}

type removeAll string

func (r removeAll) Close() error { return os.RemoveAll(string(r)) }

func tempDir(ctx context.Context, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"prefix"}, 0)
	if err != nil {
		return nil, err
	}
	prefix, err := b.str("prefix", "eddy-")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, err
	}
	sessionOf(ctx).closeLater(removeAll(dir))
	return dir, nil
}

func flowRun(ctx context.Context, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"path", "registry", "state", "new", "quiet"}, 1)
	if err != nil {
		return nil, err
	}
	s := sessionOf(ctx)
	var req FlowRequest
	if req.Path, err = b.str("path", ""); err != nil {
		return nil, err
	}
	req.Path = s.path(req.Path)
	if req.Registry, err = b.str("registry", ""); err != nil {
		return nil, err
	}
	if req.State, err = b.str("state", ""); err != nil {
		return nil, err
	}
	req.State = s.path(req.State)
	if req.NewRun, err = b.bool("new", false); err != nil {
		return nil, err
	}
	quiet, err := b.bool("quiet", false)
	if err != nil {
		return nil, err
	}
	if !quiet {
		req.Stdout = s.opts.Stdout
	}
	flowMu.RLock()
	run := flowRunner
	flowMu.RUnlock()
	if run == nil {
		return nil, errors.New("no flow runner in this program (import flows/pyscript/flowrun)")
	}
	res, err := run(ctx, req)
	if err != nil && ctx.Err() != nil {
		return nil, err
	}
	if res == nil {
		if err == nil {
			err = errors.New("the flow runner returned no run")
		}
		return nil, err
	}
	// A run that failed is a result to look at, not a Python error; its
	// error is in the dict.
	return flowRunDict(res, err), nil
}

func flowRunDict(r *FlowRun, err error) map[string]any {
	msg := r.Error
	if msg == "" && err != nil {
		msg = err.Error()
	}
	insts := make([]any, len(r.Instances))
	for i, in := range r.Instances {
		outs := make(map[string]any, len(in.Outputs))
		keys := make([]string, 0, len(in.Outputs))
		for k := range in.Outputs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			outs[k] = in.Outputs[k]
		}
		insts[i] = map[string]any{"id": in.ID, "job": in.Job, "status": in.Status, "cause": in.Cause,
			"attempts": int64(in.Attempts), "error": in.Error, "outputs": outs}
	}
	return map[string]any{"flow": r.Flow, "id": r.ID, "status": r.Status, "error": msg,
		"registry": r.Registry, "instances": insts}
}
