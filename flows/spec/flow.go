package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/eddyml/eddy/pipeline/registry"
)

// The events a trigger can wait for. Model events come from the model
// registry's event log, job events from the flow's own jobs, metric.below
// from validate jobs that reject a version, drift.detected from online
// learners.
const (
	EventModelCreated    = "model.created"
	EventModelValidated  = "model.validated"
	EventModelRejected   = "model.rejected"
	EventModelDeployed   = "model.deployed"
	EventModelDeprecated = "model.deprecated"
	EventJobSucceeded    = "job.succeeded"
	EventJobFailed       = "job.failed"
	EventDriftDetected   = "drift.detected"
	EventMetricBelow     = "metric.below"
)

var flowEvents = []string{EventModelCreated, EventModelValidated, EventModelRejected, EventModelDeployed,
	EventModelDeprecated, EventJobSucceeded, EventJobFailed, EventDriftDetected, EventMetricBelow}

// Events returns the names of the events a trigger can wait for.
func Events() []string { return slices.Clone(flowEvents) }

// IsJobEvent reports whether ev is job.succeeded or job.failed.
func IsJobEvent(ev string) bool { return ev == EventJobSucceeded || ev == EventJobFailed }

// IsModelEvent reports whether ev is a model registry event (model.*):
// those come from the registry's event log, never from a job directly.
func IsModelEvent(ev string) bool { return strings.HasPrefix(ev, "model.") }

// IsEmittable reports whether a running job may emit ev into the flow
// (jobs.Env.Emit): a known flow event that is neither a registry event
// nor a job outcome, such as drift.detected and metric.below.
func IsEmittable(ev string) bool {
	return slices.Contains(flowEvents, ev) && !IsJobEvent(ev) && !IsModelEvent(ev)
}

// Defaults of a flow file.
const (
	DefaultStateDir = ".eddy/flows"
	DefaultBackoff  = time.Second
	// CheckpointsSubdir is the default checkpoint directory under the
	// state directory.
	CheckpointsSubdir = "checkpoints"
)

// Flow is a parsed flow file.
type Flow struct {
	// File is the name errors are reported under; Dir is the directory
	// relative data paths of jobs are resolved against.
	File, Dir   string
	Name        string
	Description string
	Stores      Stores
	// Jobs by name; Order lists the names in file order.
	Jobs  map[string]*Job
	Order []string
}

// Stores say where a flow keeps models, its run state and the
// checkpoints of its streaming jobs. Empty means the caller's default
// (the --registry, --state and --checkpoints flags, then file://.eddy,
// .eddy/flows and STATE/checkpoints, relative to the working directory).
type Stores struct {
	Registry, State, Checkpoints          string
	RegistryPos, StatePos, CheckpointsPos Pos
}

// CheckpointDir returns the checkpoint directory of a flow whose state
// directory is state: Checkpoints if set, else STATE/checkpoints.
func (s *Stores) CheckpointDir(state string) string {
	if s.Checkpoints != "" {
		return s.Checkpoints
	}
	return filepath.Join(state, CheckpointsSubdir)
}

// Job is one job of a flow: the fields every kind shares, and Config,
// the kind's own fields as its JobKind parsed them.
type Job struct {
	Name string
	Kind string
	// Pos is the position of the job's name, KindPos of its kind.
	Pos, KindPos Pos
	// After lists the jobs that must succeed first (AfterPos: positions).
	After    []string
	AfterPos []Pos
	// On, Every and Cron trigger the job on an event or a schedule; a job
	// with none of them and no After runs once when the flow run starts.
	On      *Trigger
	Every   time.Duration
	Cron    *Cron
	Retries Retries
	// Timeout bounds each attempt (0: none).
	Timeout time.Duration
	// LongRunning jobs (serve) run until the flow stops.
	LongRunning bool
	Config      JobConfig
	// kindEmits are the kind's JobKind.Emits.
	kindEmits []string
}

// Trigger is a job's `on:` clause.
type Trigger struct {
	Event string
	Model string // model events: the model, or "" for any
	Job   string // job events: the job
	When  *Condition
	Pos   Pos
}

// Retries: a failed attempt is retried up to Max times, waiting Backoff,
// then twice as long each time.
type Retries struct {
	Max     int
	Backoff time.Duration
}

// Emissions returns the events the job may emit (besides job.succeeded
// and job.failed): its config's, and its kind's for any model (Model "").
func (j *Job) Emissions() []Emission {
	var out []Emission
	if j.Config != nil {
		out = append(out, j.Config.Emits()...)
	}
	for _, ev := range j.kindEmits {
		out = append(out, Emission{Event: ev})
	}
	return out
}

// Triggered reports whether the job runs on an event or a schedule.
func (j *Job) Triggered() bool { return j.On != nil || j.Every > 0 || j.Cron != nil }

// Emission is an event a job may emit, for a model ("" for none).
type Emission struct{ Event, Model string }

// JobConfig is the kind-specific configuration of a job.
type JobConfig interface {
	// Emits lists the events a job with this configuration may emit
	// (besides job.succeeded and job.failed, which every job emits).
	Emits() []Emission
}

// DataJob is implemented by configs that read or write files, so that
// validation can check that an input exists or that the job writing it
// runs first.
type DataJob interface {
	Inputs() []PathRef
	Outputs() []PathRef
}

// PathRef is a data path as written in the file, with its position.
type PathRef struct {
	Path string
	Pos  Pos
}

// JobKind describes a job kind for the parser: its fields and how to read
// them. flows/jobs pairs each with a constructor.
type JobKind struct {
	Kind string
	Doc  string
	// Fields are the kind's own field names (besides the common kind,
	// after, on, every, cron, retries, timeout, description).
	Fields      []string
	LongRunning bool
	// Emits lists the events a job of this kind may emit for any model,
	// whatever its config (a kind running user code, whose events the
	// parser cannot see). Events that depend on the config, such as
	// model.created of the job's model, or drift.detected of an online
	// job with a drift detector, come from JobConfig.Emits instead. Flow
	// validation takes both as what the job emits.
	Emits []string
	// Parse reads the kind's fields, reporting problems through f. It is
	// called with every field name in Fields or absent, never others.
	Parse func(f *Fields) JobConfig
}

// KindLookup finds job kinds by name.
type KindLookup interface {
	LookupKind(kind string) (JobKind, bool)
	KindNames() []string
}

// KindSet is a KindLookup over a fixed set of kinds.
type KindSet map[string]JobKind

// LookupKind implements KindLookup.
func (s KindSet) LookupKind(kind string) (JobKind, bool) { k, ok := s[kind]; return k, ok }

// KindNames implements KindLookup.
func (s KindSet) KindNames() []string {
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// FlowOptions tune ParseFlowWith. Zero fields take defaults.
type FlowOptions struct {
	// Kinds are the job kinds (default BuiltinKinds()).
	Kinds KindLookup
	// Stages are the stage kinds of train pipelines (default registry.Global()).
	Stages *registry.Environment
	// LookupEnv reads ${VAR} values (default os.LookupEnv).
	LookupEnv func(string) (string, bool)
	// Dir resolves relative data paths (default the file's directory).
	Dir string
	// NoFileChecks skips the checks that look at the file system (that
	// an input no job writes exists, that a pipeline file exists).
	NoFileChecks bool
}

// ParseFlow parses a flow file with the built-in job kinds, the global
// stage registry and the process environment. See ParseFlowWith.
func ParseFlow(file string, data []byte) (*Flow, error) {
	return ParseFlowWith(FlowOptions{}, file, data)
}

var (
	namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
	flowKeys    = []string{"name", "description", "stores", "jobs"}
	storeKeys   = []string{"registry", "state", "checkpoints"}
	commonKeys  = []string{"kind", "after", "on", "every", "cron", "retries", "timeout", "description"}
	onKeys      = []string{"event", "model", "job", "when"}
)

// ParseFlowWith parses a flow file: ${VAR} and ${VAR:-default}
// interpolation in values, the flow's name and stores, and its jobs, each
// checked against its kind. Then it checks the flow as a whole: after
// targets exist and form no cycle, every trigger waits for an event some
// job emits, every input is written by an earlier job or exists. Every
// problem is reported at once, joined, each an *Error with the file,
// line and column (see Problems).
func ParseFlowWith(opts FlowOptions, file string, data []byte) (*Flow, error) {
	if opts.Kinds == nil {
		opts.Kinds = BuiltinKinds()
	}
	if opts.Stages == nil {
		opts.Stages = registry.Global()
	}
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	if opts.Dir == "" {
		opts.Dir = filepath.Dir(file)
	}
	p := &problems{file: file}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		pos, msg := syntaxError(err)
		p.add(pos, "%s", msg)
		return nil, p.err()
	}
	if len(doc.Content) == 0 {
		p.add(Pos{1, 1}, "empty flow file: want a mapping with name and jobs")
		return nil, p.err()
	}
	interpolate(p, doc.Content[0], opts.LookupEnv, 0)
	root := resolve(doc.Content[0])
	f := &Flow{File: file, Dir: opts.Dir, Jobs: map[string]*Job{}}
	if root == nil || root.Kind != yaml.MappingNode {
		p.add(posOf(doc.Content[0]), "flow file: want a mapping with name and jobs, got %s", kindName(doc.Content[0]))
		return nil, p.err()
	}
	var jobsNode *yaml.Node
	hasName := false
	for _, kv := range pairs(p, root, "flow") {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "name":
			str, ok := scalarString(v)
			if !ok || !namePattern.MatchString(str) {
				p.add(posOf(v), "name: want 1-128 of [A-Za-z0-9._-] starting with a letter or digit, got %s", kindName(v))
				continue
			}
			f.Name, hasName = str, true
		case "description":
			f.Description, _ = scalarString(v)
		case "stores":
			parseStores(p, v, &f.Stores)
		case "jobs":
			jobsNode = v
		default:
			p.add(posOf(k), "unknown key %q%s; known keys: %s", k.Value, suggest(k.Value, flowKeys), strings.Join(flowKeys, ", "))
		}
	}
	if !hasName && !hasKey(root, "name") {
		p.add(posOf(root), "missing name: a flow needs a name")
	}
	switch {
	case jobsNode == nil:
		p.add(posOf(root), "missing jobs: want a mapping from job name to job")
	case jobsNode.Kind != yaml.MappingNode:
		p.add(posOf(jobsNode), "jobs: want a mapping from job name to job, got %s", kindName(jobsNode))
	case len(jobsNode.Content) == 0:
		p.add(posOf(jobsNode), "jobs: empty: a flow needs at least one job")
	default:
		for _, kv := range pairs(p, jobsNode, "jobs") {
			k, v := kv[0], kv[1]
			if !namePattern.MatchString(k.Value) {
				p.add(posOf(k), "job name %q: want 1-128 of [A-Za-z0-9._-] starting with a letter or digit", truncate(k.Value))
				continue
			}
			if j := parseJob(p, &opts, file, k, v); j != nil {
				f.Jobs[j.Name] = j
				f.Order = append(f.Order, j.Name)
			}
		}
	}
	checkAfter(p, f)
	checkTriggers(p, f)
	checkData(p, f, &opts)
	if err := p.err(); err != nil {
		return nil, err
	}
	return f, nil
}

func hasKey(n *yaml.Node, key string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

func parseStores(p *problems, n *yaml.Node, s *Stores) {
	if n.Kind != yaml.MappingNode {
		p.add(posOf(n), "stores: want a mapping {registry, state, checkpoints}, got %s", kindName(n))
		return
	}
	for _, kv := range pairs(p, n, "stores") {
		k, v := kv[0], kv[1]
		str, ok := scalarString(v)
		if slices.Contains(storeKeys, k.Value) {
			if !ok || str == "" {
				p.add(posOf(v), "stores.%s: want a string, got %s", k.Value, kindName(v))
				continue
			}
		}
		switch k.Value {
		case "registry":
			if !strings.HasPrefix(str, "file://") && !strings.HasPrefix(str, "redis://") && !strings.HasPrefix(str, "rediss://") {
				p.add(posOf(v), "stores.registry: want file://DIR or redis://host:port/db, got %q", truncate(str))
				continue
			}
			s.Registry, s.RegistryPos = str, posOf(v)
		case "state":
			s.State, s.StatePos = str, posOf(v)
		case "checkpoints":
			s.Checkpoints, s.CheckpointsPos = str, posOf(v)
		default:
			p.add(posOf(k), "stores: unknown key %q%s; known keys: %s", k.Value, suggest(k.Value, storeKeys), strings.Join(storeKeys, ", "))
		}
	}
}

func parseJob(p *problems, opts *FlowOptions, file string, key, n *yaml.Node) *Job {
	j := &Job{Name: key.Value, Pos: posOf(key), Retries: Retries{Backoff: DefaultBackoff}}
	where := fmt.Sprintf("job %q", j.Name)
	if n.Kind != yaml.MappingNode {
		p.add(posOf(n), "%s: want a mapping with a kind, got %s", where, kindName(n))
		return nil
	}
	kvs := pairs(p, n, where)
	var kind JobKind
	known := false
	for _, kv := range kvs {
		if k, v := kv[0], kv[1]; k.Value == "kind" {
			str, ok := scalarString(v)
			if !ok || str == "" {
				p.add(posOf(v), "%s: kind: want a job kind name, got %s", where, kindName(v))
				return nil
			}
			j.Kind, j.KindPos = str, posOf(v)
			if kind, known = opts.Kinds.LookupKind(str); !known {
				p.add(posOf(v), "%s: unknown job kind %q%s; known kinds: %s", where, str, suggest(str, opts.Kinds.KindNames()), strings.Join(opts.Kinds.KindNames(), ", "))
			}
		}
	}
	if j.Kind == "" {
		p.add(posOf(n), "%s: missing kind; known kinds: %s", where, strings.Join(opts.Kinds.KindNames(), ", "))
		return nil
	}
	where = fmt.Sprintf("job %q (%s)", j.Name, j.Kind)
	fields := &Fields{p: p, where: where, file: file, dir: opts.Dir, stages: opts.Stages, noFS: opts.NoFileChecks,
		vals: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}, jobPos: posOf(key)}
	for _, kv := range kvs {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "kind":
		case "description":
		case "after":
			parseAfter(p, where, v, j)
		case "on":
			j.On = parseOn(p, where, v)
		case "every":
			if d, ok := parseDuration(p, where+": every", v); ok {
				j.Every = d
			}
		case "cron":
			str, ok := scalarString(v)
			if !ok {
				p.add(posOf(v), "%s: cron: want a cron expression like \"*/5 * * * *\", got %s", where, kindName(v))
				continue
			}
			c, err := ParseCron(str)
			if err != nil {
				p.add(posOf(v), "%s: %v", where, err)
				continue
			}
			j.Cron = c
		case "retries":
			parseRetries(p, where, v, &j.Retries)
		case "timeout":
			if d, ok := parseDuration(p, where+": timeout", v); ok {
				j.Timeout = d
			}
		default:
			if !known {
				continue // no way to tell which fields the kind has
			}
			if !slices.Contains(kind.Fields, k.Value) {
				all := append(slices.Clone(commonKeys), kind.Fields...)
				p.add(posOf(k), "%s: unknown field %q%s; known fields: %s", where, k.Value, suggest(k.Value, all), strings.Join(all, ", "))
				continue
			}
			fields.vals[k.Value], fields.keys[k.Value] = v, k
		}
	}
	triggers := 0
	for _, t := range []bool{j.On != nil, j.Every > 0, j.Cron != nil} {
		if t {
			triggers++
		}
	}
	if triggers > 1 {
		p.add(j.Pos, "%s: on, every and cron exclude each other: pick one trigger", where)
	}
	if triggers > 0 && len(j.After) > 0 {
		p.add(j.AfterPos[0], "%s: after cannot be combined with on, every or cron: a job runs after other jobs or on its trigger (put the trigger on the first job of the chain)", where)
	}
	if known {
		j.LongRunning = kind.LongRunning
		j.kindEmits = kind.Emits
		if kind.Parse != nil {
			j.Config = kind.Parse(fields)
		}
		// A job reading an endless stream runs until the flow stops,
		// whatever its kind's default.
		if e, ok := j.Config.(interface{ Endless() bool }); ok && e.Endless() {
			j.LongRunning = true
		}
	}
	return j
}

func parseAfter(p *problems, where string, v *yaml.Node, j *Job) {
	items := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		items = v.Content
	}
	for _, it := range items {
		it = resolve(it)
		str, ok := scalarString(it)
		if it == nil || !ok || str == "" {
			p.add(posOf(v), "%s: after: want a job name or a list of job names, got %s", where, kindName(v))
			continue
		}
		if slices.Contains(j.After, str) {
			p.add(posOf(it), "%s: after: %q listed twice", where, str)
			continue
		}
		j.After = append(j.After, str)
		j.AfterPos = append(j.AfterPos, posOf(it))
	}
}

func parseOn(p *problems, where string, v *yaml.Node) *Trigger {
	t := &Trigger{Pos: posOf(v)}
	if str, ok := scalarString(v); ok {
		t.Event = str
	} else if v.Kind != yaml.MappingNode {
		p.add(posOf(v), "%s: on: want an event name or a mapping {event, model, job, when}, got %s", where, kindName(v))
		return nil
	} else {
		for _, kv := range pairs(p, v, where+": on") {
			k, val := kv[0], kv[1]
			str, ok := scalarString(val)
			if !ok {
				p.add(posOf(val), "%s: on.%s: want a string, got %s", where, k.Value, kindName(val))
				continue
			}
			switch k.Value {
			case "event":
				t.Event, t.Pos = str, posOf(val)
			case "model":
				t.Model = str
			case "job":
				t.Job = str
			case "when":
				c, err := ParseCondition(str)
				if err != nil {
					p.add(posOf(val), "%s: on.when: %v", where, err)
					continue
				}
				t.When = c
			default:
				p.add(posOf(k), "%s: on: unknown key %q%s; known keys: %s", where, k.Value, suggest(k.Value, onKeys), strings.Join(onKeys, ", "))
			}
		}
		if t.Event == "" && !hasKey(v, "event") {
			p.add(posOf(v), "%s: on: missing event; known events: %s", where, strings.Join(flowEvents, ", "))
			return nil
		}
	}
	if !slices.Contains(flowEvents, t.Event) {
		p.add(t.Pos, "%s: on: unknown event %q%s; known events: %s", where, t.Event, suggest(t.Event, flowEvents), strings.Join(flowEvents, ", "))
		return nil
	}
	return t
}

func parseDuration(p *problems, where string, v *yaml.Node) (time.Duration, bool) {
	str, ok := scalarString(v)
	d, err := time.ParseDuration(str)
	if !ok || err != nil || d <= 0 {
		p.add(posOf(v), "%s: want a positive duration like 30s, 10m or 1h, got %s", where, kindName(v))
		return 0, false
	}
	return d, true
}

func parseRetries(p *problems, where string, v *yaml.Node, r *Retries) {
	parseMax := func(n *yaml.Node) {
		m, err := strconv.Atoi(n.Value)
		if n.Kind != yaml.ScalarNode || err != nil || m < 0 || m > 100 {
			p.add(posOf(n), "%s: retries.max: want an integer in [0, 100], got %s", where, kindName(n))
			return
		}
		r.Max = m
	}
	if v.Kind == yaml.ScalarNode {
		parseMax(v)
		return
	}
	if v.Kind != yaml.MappingNode {
		p.add(posOf(v), "%s: retries: want a count or a mapping {max, backoff}, got %s", where, kindName(v))
		return
	}
	for _, kv := range pairs(p, v, where+": retries") {
		k, val := kv[0], kv[1]
		switch k.Value {
		case "max":
			parseMax(val)
		case "backoff":
			if d, ok := parseDuration(p, where+": retries.backoff", val); ok {
				r.Backoff = d
			}
		default:
			p.add(posOf(k), "%s: retries: unknown key %q%s; known keys: max, backoff", where, k.Value, suggest(k.Value, []string{"max", "backoff"}))
		}
	}
}

// checkAfter reports unknown after targets and cycles.
func checkAfter(p *problems, f *Flow) {
	for _, name := range f.Order {
		j := f.Jobs[name]
		for i, a := range j.After {
			if _, ok := f.Jobs[a]; !ok {
				p.add(j.AfterPos[i], "job %q: after: unknown job %q%s; jobs: %s", name, a, suggest(a, f.Order), strings.Join(f.Order, ", "))
			} else if a == name {
				p.add(j.AfterPos[i], "job %q: after: a job cannot run after itself", name)
			}
		}
	}
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var visit func(name string)
	visit = func(name string) {
		color[name] = grey
		stack = append(stack, name)
		j := f.Jobs[name]
		for i, a := range j.After {
			if _, ok := f.Jobs[a]; !ok || a == name {
				continue
			}
			switch color[a] {
			case grey:
				start := slices.Index(stack, a)
				cyc := append(slices.Clone(stack[start:]), a)
				p.add(j.AfterPos[i], "job %q: after: cycle %s", name, strings.Join(cyc, " -> "))
			case white:
				visit(a)
			}
		}
		stack = stack[:len(stack)-1]
		color[name] = black
	}
	for _, name := range f.Order {
		if color[name] == white {
			visit(name)
		}
	}
}

// checkTriggers reports triggers that wait for events nothing emits.
func checkTriggers(p *problems, f *Flow) {
	emitters := map[string]map[string][]string{} // event -> model ("": any) -> jobs
	for _, name := range f.Order {
		j := f.Jobs[name]
		for _, e := range j.Emissions() {
			if emitters[e.Event] == nil {
				emitters[e.Event] = map[string][]string{}
			}
			emitters[e.Event][e.Model] = append(emitters[e.Event][e.Model], name)
		}
	}
	for _, name := range f.Order {
		j := f.Jobs[name]
		t := j.On
		if t == nil {
			continue
		}
		where := fmt.Sprintf("job %q: on %s", name, t.Event)
		if IsJobEvent(t.Event) {
			switch {
			case t.Model != "":
				p.add(t.Pos, "%s: model does not apply to job events", where)
			case t.Job == "":
				p.add(t.Pos, "%s: missing job: name the job whose outcome triggers this one", where)
			case f.Jobs[t.Job] == nil:
				p.add(t.Pos, "%s: unknown job %q%s", where, t.Job, suggest(t.Job, f.Order))
			case t.Job == name:
				p.add(t.Pos, "%s: a job cannot trigger on its own outcome", where)
			}
			continue
		}
		if t.Job != "" {
			p.add(t.Pos, "%s: job applies only to job.succeeded and job.failed", where)
			continue
		}
		byModel := emitters[t.Event]
		if t.Model == "" && len(byModel) > 0 || len(byModel[t.Model]) > 0 || len(byModel[""]) > 0 {
			continue
		}
		var models []string
		for m := range byModel {
			models = append(models, m)
		}
		sort.Strings(models)
		switch {
		case len(models) > 0:
			p.add(t.Pos, "%s: nothing in this flow emits %s for model %q (it is emitted for %s)", where, t.Event, t.Model, strings.Join(models, ", "))
		case t.Model != "":
			p.add(t.Pos, "%s: nothing in this flow emits %s for model %q", where, t.Event, t.Model)
		default:
			p.add(t.Pos, "%s: nothing in this flow emits %s", where, t.Event)
		}
	}
}

// ancestors returns the jobs name runs after, transitively.
func ancestors(f *Flow, name string) map[string]bool {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(n string) {
		j := f.Jobs[n]
		if j == nil {
			return
		}
		for _, a := range j.After {
			if !seen[a] {
				seen[a] = true
				walk(a)
			}
		}
	}
	walk(name)
	return seen
}

// checkData reports inputs that are written by a job that does not run
// first, or that no job writes and do not exist.
func checkData(p *problems, f *Flow, opts *FlowOptions) {
	writers := map[string]string{}
	for _, name := range f.Order {
		if dj, ok := f.Jobs[name].Config.(DataJob); ok {
			for _, o := range dj.Outputs() {
				key := filepath.Clean(f.Path(o.Path))
				if w, dup := writers[key]; dup {
					p.add(o.Pos, "job %q: output %q is also written by job %q", name, o.Path, w)
					continue
				}
				writers[key] = name
			}
		}
	}
	for _, name := range f.Order {
		j := f.Jobs[name]
		dj, ok := j.Config.(DataJob)
		if !ok {
			continue
		}
		for _, in := range dj.Inputs() {
			key := filepath.Clean(f.Path(in.Path))
			if w, ok := writers[key]; ok {
				if w != name && !ancestors(f, name)[w] && !j.Triggered() {
					p.add(in.Pos, "job %q: input %q is written by job %q: add %q to after", name, in.Path, w, w)
				}
				continue
			}
			if opts.NoFileChecks {
				continue
			}
			if _, err := os.Stat(key); err != nil {
				p.add(in.Pos, "job %q: missing input %q: no such file, and no job in the flow writes it", name, in.Path)
			}
		}
	}
}

// Path resolves a data path of a job against the flow's directory.
func (f *Flow) Path(p string) string {
	if p == "" || filepath.IsAbs(p) || f.Dir == "" {
		return p
	}
	return filepath.Join(f.Dir, p)
}

// interpolate replaces ${VAR} and ${VAR:-default} in the scalar values
// under n (not in keys). "$${" stands for a literal "${".
func interpolate(p *problems, n *yaml.Node, lookup func(string) (string, bool), depth int) {
	if n == nil || depth > 1000 {
		return
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if !strings.Contains(n.Value, "${") {
			return
		}
		out, changed := expand(p, n, lookup)
		if changed {
			n.Value = out
			// Resolve a substituted plain value again (a number, a bool):
			// the parser tagged "${X}" as a string. An explicit tag or
			// quotes set a Style bit and keep it a string.
			if n.Style == 0 {
				n.Tag = ""
			}
		}
	case yaml.MappingNode:
		for i := 1; i < len(n.Content); i += 2 {
			interpolate(p, n.Content[i], lookup, depth+1)
		}
	case yaml.SequenceNode, yaml.DocumentNode:
		for _, c := range n.Content {
			interpolate(p, c, lookup, depth+1)
		}
	}
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func expand(p *problems, n *yaml.Node, lookup func(string) (string, bool)) (string, bool) {
	s := n.Value
	col := func(off int) Pos {
		if strings.Contains(s, "\n") || n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			return posOf(n)
		}
		c := n.Column + off
		if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
			c++
		}
		return Pos{n.Line, c}
	}
	var b strings.Builder
	changed := false
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "$${") {
			b.WriteString("${")
			i += 3
			changed = true
			continue
		}
		if !strings.HasPrefix(s[i:], "${") {
			b.WriteByte(s[i])
			i++
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			p.add(col(i), "unterminated ${ in %q", truncate(s))
			return s, false
		}
		body := s[i+2 : i+end]
		name, def, hasDef := strings.Cut(body, ":-")
		if !envName.MatchString(name) {
			p.add(col(i), "${%s}: want ${VAR} or ${VAR:-default} with VAR of letters, digits and _", truncate(body))
			b.WriteString(s[i : i+end+1])
		} else if v, ok := lookup(name); ok {
			b.WriteString(v)
		} else if hasDef {
			b.WriteString(def)
		} else {
			p.add(col(i), "environment variable %s is not set (write ${%s:-default} for a default)", name, name)
			b.WriteString(s[i : i+end+1]) // keep it as written: one problem, not two
		}
		changed = true
		i += end + 1
	}
	return b.String(), changed
}

// Fields gives a JobKind's Parse the kind's own fields of one job, with
// typed getters that report problems at the field's position.
type Fields struct {
	p      *problems
	where  string
	file   string
	dir    string
	stages *registry.Environment
	noFS   bool
	vals   map[string]*yaml.Node
	keys   map[string]*yaml.Node
	jobPos Pos
}

// Has reports whether the job sets field name.
func (f *Fields) Has(name string) bool { return f.vals[name] != nil }

// Node returns the YAML value of field name, or nil.
func (f *Fields) Node(name string) *yaml.Node { return f.vals[name] }

// Pos returns the position of field name's value, or the job's.
func (f *Fields) Pos(name string) Pos {
	if n := f.vals[name]; n != nil {
		return posOf(n)
	}
	return f.jobPos
}

// Errorf reports a problem at field name's value (or the job when unset).
func (f *Fields) Errorf(name, format string, args ...any) {
	f.p.add(f.Pos(name), "%s: %s: %s", f.where, name, fmt.Sprintf(format, args...))
}

// ErrorAt reports a problem at pos.
func (f *Fields) ErrorAt(pos Pos, format string, args ...any) {
	f.p.add(pos, "%s: %s", f.where, fmt.Sprintf(format, args...))
}

func (f *Fields) missing(name string) {
	f.p.add(f.jobPos, "%s: missing field %q", f.where, name)
}

// String returns a string field; a required field that is absent is a
// problem.
func (f *Fields) String(name string, required bool) string {
	n := f.vals[name]
	if n == nil {
		if required {
			f.missing(name)
		}
		return ""
	}
	s, ok := scalarString(n)
	if !ok || (required && s == "") {
		f.Errorf(name, "want a string, got %s", kindName(n))
	}
	return s
}

// Strings returns a list of strings (a single string is a list of one).
func (f *Fields) Strings(name string) []string {
	n := f.vals[name]
	if n == nil {
		return nil
	}
	if s, ok := scalarString(n); ok {
		return []string{s}
	}
	if n.Kind != yaml.SequenceNode {
		f.Errorf(name, "want a list of strings, got %s", kindName(n))
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		s, ok := scalarString(resolve(c))
		if !ok {
			f.ErrorAt(posOf(c), "%s: want a string, got %s", name, kindName(c))
			continue
		}
		out = append(out, s)
	}
	return out
}

// StringMap returns a mapping of strings.
func (f *Fields) StringMap(name string) map[string]string {
	n := f.vals[name]
	if n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		f.Errorf(name, "want a mapping of strings, got %s", kindName(n))
		return nil
	}
	out := map[string]string{}
	for _, kv := range pairs(f.p, n, f.where+": "+name) {
		s, ok := scalarString(kv[1])
		if !ok {
			f.ErrorAt(posOf(kv[1]), "%s.%s: want a string, got %s", name, kv[0].Value, kindName(kv[1]))
			continue
		}
		out[kv[0].Value] = s
	}
	return out
}

// Float returns a number field and whether it is set and valid.
func (f *Fields) Float(name string, required bool) (float64, bool) {
	n := f.vals[name]
	if n == nil {
		if required {
			f.missing(name)
		}
		return 0, false
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if n.Kind != yaml.ScalarNode || err != nil || v != v {
		f.Errorf(name, "want a number, got %s", kindName(n))
		return 0, false
	}
	return v, true
}

// Int returns an integer field in [lo, hi], or def when absent.
func (f *Fields) Int(name string, def, lo, hi int) int {
	n := f.vals[name]
	if n == nil {
		return def
	}
	v, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil || v < lo || v > hi {
		f.Errorf(name, "want an integer in [%d, %d], got %s", lo, hi, kindName(n))
		return def
	}
	return v
}

// Bool returns a boolean field, or def when absent.
func (f *Fields) Bool(name string, def bool) bool {
	n := f.vals[name]
	if n == nil {
		return def
	}
	var b bool
	if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
		f.Errorf(name, "want true or false, got %s", kindName(n))
		return def
	}
	return b
}

// Pipeline returns the pipeline of field name: inline (a mapping as in a
// pipeline file) or a pipeline file's path, relative to the flow's
// directory. Problems of an inline pipeline are reported at their
// position in the flow file, those of a pipeline file in that file.
func (f *Fields) Pipeline(name string) (ps *PipelineSpec, path string) {
	n := f.vals[name]
	if n == nil {
		f.missing(name)
		return nil, ""
	}
	if s, ok := scalarString(n); ok {
		full := s
		if !filepath.IsAbs(full) {
			full = filepath.Join(f.dir, s)
		}
		data, err := os.ReadFile(full)
		if err != nil {
			if !f.noFS {
				f.Errorf(name, "pipeline file %q: %v", s, unwrapPathErr(err))
			}
			return nil, s
		}
		ps, err := ParsePipelineWith(f.stages, full, data)
		if err != nil {
			f.p.errs = append(f.p.errs, &Error{File: f.file, Pos: posOf(n), Msg: fmt.Sprintf("%s: %s: pipeline file %q has problems:", f.where, name, s)})
			for _, e := range Problems(err) {
				f.p.errs = append(f.p.errs, &Error{File: f.file, Pos: posOf(n), Msg: "  " + e.Error()})
			}
			return nil, s
		}
		return ps, s
	}
	return parsePipelineNode(f.p, f.stages, f.file, n, f.where+": "+name), ""
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
