package pyscript

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/internal/pybridge"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/serving/modelstore"
)

// Options configure RunWith.
type Options struct {
	// Argv is sys.argv[1:].
	Argv []string
	// Stdout receives print output; nil discards it.
	Stdout io.Writer
	// Allocator allocates the tables the script makes; nil means
	// memory.DefaultAllocator. They are released when the script ends.
	Allocator memory.Allocator
	// Registry, if set, is what eddy.registry() without a URL (or with
	// RegistryURL) returns: the caller's store, shared and left open (a
	// flow job's registry, whose events the scheduler watches).
	Registry    modelstore.Store
	RegistryURL string
	// Lineage is recorded as the lineage (FlowRun) of the versions the
	// script puts into registries, unless empty.
	Lineage string
	// Env is what eddy.getenv sees before the process environment.
	Env map[string]string
	// Dir, if set, is the directory relative paths given to read_csv,
	// read, write, save and load are resolved against (the process's
	// working directory otherwise).
	Dir string
}

// ModelVersion is a model version a script stored with registry.put.
type ModelVersion struct {
	Registry string
	Name     string
	Version  int64
	// Stage is the version's stage when the script ended its last call
	// on it (generated, validated, deployed...).
	Stage string
}

// Result is what a script produced that a caller (a flow job) may act
// on.
type Result struct {
	// Models lists the versions put into registries, in order.
	Models []ModelVersion
	// Metrics are the numeric metrics of the last eddy.evaluate call.
	Metrics map[string]float64
}

// session is the state of one script run: its allocator, the tables and
// registries to release when it ends, and its Result.
type session struct {
	mem  memory.Allocator
	opts Options

	mu      sync.Mutex
	tables  []*table.Table
	closers []io.Closer
	result  Result
}

type sessionKey struct{}

// loose serves calls made outside Run (a UDF pool or a notebook kernel
// importing eddy): tables use the Go allocator and are left to the
// garbage collector.
var loose = &session{mem: memory.DefaultAllocator}

func sessionOf(ctx context.Context) *session {
	if s, ok := ctx.Value(sessionKey{}).(*session); ok {
		return s
	}
	return loose
}

// stageCtx returns ctx with the session's allocator for stages.
func (s *session) stageCtx(ctx context.Context) context.Context {
	return pipeline.WithAllocator(ctx, s.mem)
}

// keep registers t to be released at the end of the run and returns it
// as a Python object.
func (s *session) keep(t *table.Table) *pybridge.Object {
	if s != loose {
		s.mu.Lock()
		s.tables = append(s.tables, t)
		s.mu.Unlock()
	}
	return tableClass.NewObject(t)
}

func (s *session) closeLater(c io.Closer) {
	if s == loose {
		return
	}
	s.mu.Lock()
	s.closers = append(s.closers, c)
	s.mu.Unlock()
}

func (s *session) putModel(mv ModelVersion) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.result.Models = append(s.result.Models, mv)
}

func (s *session) setStage(reg, name string, version int64, stage string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.result.Models {
		m := &s.result.Models[i]
		if m.Registry == reg && m.Name == name && m.Version == version {
			m.Stage = stage
		}
	}
}

func (s *session) setMetrics(m map[string]float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.result.Metrics = m
}

// path resolves a path a script gave against Options.Dir.
func (s *session) path(p string) string {
	if p == "" || s.opts.Dir == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.opts.Dir, p)
}

// release frees what the script holds.
func (s *session) release() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tables {
		t.Release()
	}
	s.tables = nil
	var errs []error
	for _, c := range s.closers {
		errs = append(errs, c.Close())
	}
	s.closers = nil
	return errors.Join(errs...)
}

// Run runs the script at path with the eddy module, print writing to
// stdout, sys.argv = [path] + argv. A Python error, or a Go error raised
// by an eddy function, is a *pybridge.Error pointing at the script line.
func Run(ctx context.Context, path string, argv []string, stdout io.Writer) error {
	_, err := RunWith(ctx, path, &Options{Argv: argv, Stdout: stdout})
	return err
}

// RunWith runs the script at path as Run does and returns what it
// produced. opts may be nil.
func RunWith(ctx context.Context, path string, opts *Options) (*Result, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return RunSource(ctx, string(src), path, opts)
}

// RunSource runs src, named file in tracebacks, as RunWith does.
func RunSource(ctx context.Context, src, file string, opts *Options) (*Result, error) {
	if opts == nil {
		opts = &Options{}
	}
	s := &session{mem: opts.Allocator, opts: *opts}
	if s.mem == nil {
		s.mem = memory.DefaultAllocator
	}
	err := pybridge.RunScript(context.WithValue(ctx, sessionKey{}, s), src, file, opts.Stdout, opts.Argv)
	if errors.Is(err, pybridge.ErrDeadline) {
		// The abandoned script may still use its tables: leave them to
		// the garbage collector.
		return nil, err
	}
	if rerr := s.release(); rerr != nil && err == nil {
		err = fmt.Errorf("python %s: close registries: %w", file, rerr)
	}
	s.mu.Lock()
	res := s.result
	s.mu.Unlock()
	return &res, err
}
