package spec

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
)

// Task says how a trained pipeline is evaluated on the held-out split.
type Task string

// The tasks. TaskAuto picks classification when the fitted model outputs
// a probability column (binary for two label values, multiclass for
// more) and regression otherwise.
const (
	TaskAuto       Task = "auto"
	TaskBinary     Task = "binary"
	TaskMulticlass Task = "multiclass"
	TaskRegression Task = "regression"
	TaskClustering Task = "clustering"
)

var tasks = []Task{TaskAuto, TaskBinary, TaskMulticlass, TaskRegression, TaskClustering}

// Defaults of a pipeline file.
const (
	DefaultLabelCol      = "label"
	DefaultTestFraction  = 0.25
	DefaultSeed          = 42
	labelColParam        = "label_col"
	maxAliasResolveDepth = 8
)

// Split is the held-out split: the fraction Test of the rows (0 means no
// evaluation) drawn with Seed.
type Split struct {
	Test float64
	Seed int64
}

// Pos is a position in a YAML file, 1-based. Line 0 means unknown.
type Pos struct{ Line, Column int }

// StageSpec is one stage of a pipeline file: a registry kind and its param
// values as decoded from YAML.
type StageSpec struct {
	Kind string
	// Params are the values set in the file, by param name.
	Params map[string]any
	// Pos is the position of the stage's kind value.
	Pos Pos

	paramPos  map[string]Pos   // param name -> value position
	paramElem map[string][]Pos // list param name -> element positions
	inherited bool             // label_col comes from the top level
}

// PipelineSpec is a parsed pipeline file: the stages to fit, the label
// column, the evaluation task and the held-out split.
type PipelineSpec struct {
	// File is the name errors are reported under.
	File string
	// LabelCol is the label column: it is used for evaluation and is the
	// default label_col of every stage declaring one that does not set it.
	LabelCol string
	Task     Task
	Split    Split
	Stages   []StageSpec

	labelPos Pos // position of label_col's value, or the document start
	rootPos  Pos
}

// Error is one problem of a pipeline file, at a position.
type Error struct {
	File string
	Pos
	Msg string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	if e.Column == 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// Problems returns the *Error values in err's tree (errors.Join and %w
// wrapping), in order.
func Problems(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if e, ok := err.(*Error); ok {
			out = append(out, e)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

// problems collects the errors of one parse.
type problems struct {
	file string
	errs []error // each an *Error
}

func (p *problems) add(pos Pos, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// err joins the problems in file order.
func (p *problems) err() error {
	sort.SliceStable(p.errs, func(i, j int) bool {
		a, b := p.errs[i].(*Error), p.errs[j].(*Error)
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return errors.Join(p.errs...)
}

func posOf(n *yaml.Node) Pos { return Pos{n.Line, n.Column} }

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxAliasResolveDepth; i++ {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return fmt.Sprintf("%s %q", strings.TrimPrefix(n.ShortTag(), "!!"), truncate(n.Value))
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

// pairs returns the key/value pairs of a mapping, reporting duplicate and
// non-string keys.
func pairs(p *problems, n *yaml.Node, what string) [][2]*yaml.Node {
	seen := map[string]Pos{}
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if v == nil {
			v = n.Content[i+1]
		}
		if k.Kind != yaml.ScalarNode {
			p.add(posOf(k), "%s: keys must be strings, got %s", what, kindName(k))
			continue
		}
		if first, ok := seen[k.Value]; ok {
			p.add(posOf(k), "%s: duplicate key %q (first at line %d)", what, k.Value, first.Line)
			continue
		}
		seen[k.Value] = posOf(k)
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out
}

var topKeys = []string{"label_col", "task", "split", "stages"}

// ParsePipeline parses a pipeline file with the kinds of registry.Global.
// See ParsePipelineWith.
func ParsePipeline(file string, data []byte) (*PipelineSpec, error) {
	return ParsePipelineWith(registry.Global(), file, data)
}

// ParsePipelineWith parses a pipeline file and checks every stage against
// env: the kind exists and is a transformer or an estimator, every param
// is one the kind declares, and the stage builds with the given values.
// All problems are reported at once, joined, each an *Error with the
// file, line and column (see Problems).
func ParsePipelineWith(env *registry.Environment, file string, data []byte) (*PipelineSpec, error) {
	p := &problems{file: file}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		pos, msg := syntaxError(err)
		p.add(pos, "%s", msg)
		return nil, p.err()
	}
	if len(doc.Content) == 0 {
		p.add(Pos{1, 1}, "empty pipeline file: want a mapping with stages")
		return nil, p.err()
	}
	s := parsePipelineNode(p, env, file, doc.Content[0], "pipeline file")
	if err := p.err(); err != nil {
		return nil, err
	}
	return s, nil
}

// parsePipelineNode parses the pipeline mapping n (a whole pipeline file,
// or the pipeline of a flow's train job), adding its problems to p. what
// names n in messages. The result is nil when n is not a mapping.
func parsePipelineNode(p *problems, env *registry.Environment, file string, n *yaml.Node, what string) *PipelineSpec {
	root := resolve(n)
	s := &PipelineSpec{
		File: file, LabelCol: DefaultLabelCol, Task: TaskAuto,
		Split:   Split{Test: DefaultTestFraction, Seed: DefaultSeed},
		rootPos: posOf(n),
	}
	s.labelPos = s.rootPos
	if root == nil || root.Kind != yaml.MappingNode {
		p.add(s.rootPos, "%s: want a mapping with stages, got %s", what, kindName(n))
		return nil
	}
	var stagesNode, stagesKey *yaml.Node
	for _, kv := range pairs(p, root, "pipeline") {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "label_col":
			if str, ok := scalarString(v); ok && str != "" {
				s.LabelCol, s.labelPos = str, posOf(v)
			} else {
				p.add(posOf(v), "label_col: want a column name, got %s", kindName(v))
			}
		case "task":
			str, _ := scalarString(v)
			if !validTask(str) {
				p.add(posOf(v), "task: want one of %s, got %s", taskList(), kindName(v))
			} else {
				s.Task = Task(str)
			}
		case "split":
			parseSplit(p, v, &s.Split)
		case "stages":
			stagesKey, stagesNode = k, v
		default:
			p.add(posOf(k), "unknown key %q%s; known keys: %s", k.Value, suggest(k.Value, topKeys), strings.Join(topKeys, ", "))
		}
	}
	switch {
	case stagesNode == nil:
		p.add(s.rootPos, "missing stages: want a list of {kind, params}")
	case stagesNode.Kind != yaml.SequenceNode:
		p.add(posOf(stagesNode), "stages: want a list of {kind, params}, got %s", kindName(stagesNode))
	case len(stagesNode.Content) == 0:
		p.add(posOf(stagesKey), "stages: empty: a pipeline needs at least one stage")
	default:
		for i, n := range stagesNode.Content {
			if st, ok := parseStage(p, env, i, resolve(n), n, s); ok {
				s.Stages = append(s.Stages, st)
			}
		}
	}
	return s
}

// syntaxError splits a yaml.v3 syntax error ("yaml: line 3: ...") into
// the line and the message; yaml.v3 gives no column.
func syntaxError(err error) (Pos, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if _, e := fmt.Sscanf(msg, "line %d:", &line); e == nil && line > 0 {
		if i := strings.Index(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		return Pos{Line: line}, msg
	}
	return Pos{Line: 1}, msg
}

func scalarString(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", false
	}
	return n.Value, true
}

func validTask(s string) bool {
	for _, t := range tasks {
		if string(t) == s {
			return true
		}
	}
	return false
}

func taskList() string {
	names := make([]string, len(tasks))
	for i, t := range tasks {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

func parseSplit(p *problems, n *yaml.Node, sp *Split) {
	if n.Kind != yaml.MappingNode {
		p.add(posOf(n), "split: want a mapping {test, seed}, got %s", kindName(n))
		return
	}
	for _, kv := range pairs(p, n, "split") {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "test":
			var f float64
			if v.Kind != yaml.ScalarNode || v.Decode(&f) != nil || math.IsNaN(f) || f < 0 || f >= 1 {
				p.add(posOf(v), "split.test: want a fraction in [0, 1), got %s", kindName(v))
				continue
			}
			sp.Test = f
		case "seed":
			var i int64
			if v.Kind != yaml.ScalarNode || v.Decode(&i) != nil {
				p.add(posOf(v), "split.seed: want an integer, got %s", kindName(v))
				continue
			}
			sp.Seed = i
		default:
			p.add(posOf(k), "split: unknown key %q; known keys: test, seed", k.Value)
		}
	}
}

// parseStage reads one stage; ok is false when it is too broken to keep.
func parseStage(p *problems, env *registry.Environment, i int, n, orig *yaml.Node, s *PipelineSpec) (StageSpec, bool) {
	where := fmt.Sprintf("stage %d", i+1)
	if n == nil || n.Kind != yaml.MappingNode {
		p.add(posOf(orig), "%s: want a mapping {kind, params}, got %s", where, kindName(orig))
		return StageSpec{}, false
	}
	st := StageSpec{Pos: posOf(n), Params: map[string]any{}, paramPos: map[string]Pos{}, paramElem: map[string][]Pos{}}
	var paramsNode *yaml.Node
	var paramKeys []*yaml.Node
	hasKind, kindKey := false, false
	kvs := pairs(p, n, where)
	for _, kv := range kvs {
		if k, v := kv[0], kv[1]; k.Value == "kind" {
			kindKey = true
			str, ok := scalarString(v)
			if !ok || str == "" {
				p.add(posOf(v), "%s: kind: want a stage kind name, got %s", where, kindName(v))
				continue
			}
			st.Kind, st.Pos, hasKind = str, posOf(v), true
			where = fmt.Sprintf("stage %d (%s)", i+1, st.Kind)
		}
	}
	for _, kv := range kvs {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "kind":
		case "params":
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				continue // "params:" with nothing: all defaults
			}
			if v.Kind != yaml.MappingNode {
				p.add(posOf(v), "%s: params: want a mapping of param values, got %s", where, kindName(v))
				continue
			}
			paramsNode = v
		default:
			p.add(posOf(k), "%s: unknown key %q; known keys: kind, params", where, k.Value)
		}
	}
	if !hasKind {
		if !kindKey {
			p.add(posOf(n), "%s: missing kind", where)
		}
		return StageSpec{}, false
	}
	if paramsNode != nil {
		for _, kv := range pairs(p, paramsNode, where+": params") {
			k, v := kv[0], kv[1]
			var val any
			if err := v.Decode(&val); err != nil {
				p.add(posOf(v), "%s: param %q: %v", where, k.Value, strings.TrimPrefix(err.Error(), "yaml: "))
				continue
			}
			st.Params[k.Value] = val
			st.paramPos[k.Value] = posOf(v)
			paramKeys = append(paramKeys, k)
			if v.Kind == yaml.SequenceNode {
				elems := make([]Pos, len(v.Content))
				for j, e := range v.Content {
					elems[j] = posOf(e)
				}
				st.paramElem[k.Value] = elems
			}
		}
	}
	info, err := env.Lookup(st.Kind)
	if err != nil {
		p.add(st.Pos, "%s: unknown kind %q%s", where, st.Kind, suggest(st.Kind, env.Kinds()))
		return st, true
	}
	switch {
	case info.Composite:
		p.add(st.Pos, "%s: kind %q is a composite: list its stages here instead", where, st.Kind)
		return st, true
	case info.Type == registry.TypeModel:
		hint := ""
		if est := strings.TrimSuffix(st.Kind, "_model"); est != st.Kind {
			if _, err := env.Lookup(est); err == nil {
				hint = fmt.Sprintf(" (use the estimator %q)", est)
			}
		}
		p.add(st.Pos, "%s: kind %q is a fitted model, which has no data before training%s", where, st.Kind, hint)
		return st, true
	}
	known := make([]string, len(info.Params))
	declared := map[string]bool{}
	for j, pi := range info.Params {
		known[j] = pi.Name
		declared[pi.Name] = true
	}
	sort.Strings(known)
	valid := map[string]any{}
	for _, k := range paramKeys {
		if !declared[k.Value] {
			knownList := "none"
			if len(known) > 0 {
				knownList = strings.Join(known, ", ")
			}
			p.add(posOf(k), "%s: unknown param %q%s; known params: %s", where, k.Value, suggest(k.Value, known), knownList)
			continue
		}
		valid[k.Value] = st.Params[k.Value]
	}
	if _, set := st.Params[labelColParam]; !set && declared[labelColParam] {
		valid[labelColParam] = s.LabelCol
		st.inherited = true
	}
	if _, err := env.New(st.Kind, valid); err != nil {
		for _, e := range leaves(err) {
			var pe *param.Error
			if errors.As(e, &pe) {
				pos, ok := st.paramPos[pe.Param]
				if !ok && pe.Param == labelColParam && st.inherited {
					pos = s.labelPos
				} else if !ok {
					pos = st.Pos
				}
				p.add(pos, "%s: param %q: %v", where, pe.Param, pe.Err)
				continue
			}
			p.add(st.Pos, "%s: %v", where, e)
		}
	}
	return st, true
}

// leaves flattens errors.Join trees (also under %w wrapping) into the
// errors that are not joins: one per problem.
func leaves(err error) []error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*param.Error); ok {
		return []error{err}
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, leaves(e)...)
		}
		return out
	}
	// Look through single wrapping for a join below; keep err itself as
	// the leaf otherwise, so that its message keeps its context.
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
		if _, ok := u.(interface{ Unwrap() []error }); ok {
			return leaves(u)
		}
	}
	return []error{err}
}

// suggest returns "; did you mean X?" for the names of known close to
// name, or "".
func suggest(name string, known []string) string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for _, k := range known {
		d := editDistance(name, k)
		close := d <= max(1, len(name)/3) && d < len(name)
		if close || (len(name) >= 4 && len(k) >= 4 && (strings.Contains(k, name) || strings.Contains(name, k))) {
			cs = append(cs, cand{k, d})
		}
	}
	if len(cs) == 0 {
		return ""
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	for i, c := range cs {
		if c.d > cs[0].d+1 {
			cs = cs[:i] // only the closest ones
			break
		}
	}
	if len(cs) > 3 {
		cs = cs[:3]
	}
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.name
	}
	return "; did you mean " + strings.Join(names, " or ") + "?"
}

// editDistance is the optimal string alignment distance of a and b by
// bytes (Levenshtein plus transpositions of neighbours: "tsak" is one
// edit from "task"), capped for long inputs so that a hostile file cannot
// make it quadratic in its size.
func editDistance(a, b string) int {
	const limit = 64
	if len(a) > limit || len(b) > limit {
		if a == b {
			return 0
		}
		return limit
	}
	// d[i][j] over rows i-2, i-1, i.
	pp := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], pp[j-2]+1)
			}
		}
		pp, prev, cur = prev, cur, pp
	}
	return prev[len(b)]
}

// effectiveParams returns the stage's params with the inherited label_col.
func (st *StageSpec) effectiveParams(labelCol string) map[string]any {
	m := make(map[string]any, len(st.Params)+1)
	for k, v := range st.Params {
		m[k] = v
	}
	if st.inherited {
		m[labelColParam] = labelCol
	}
	return m
}

// Build builds the pipeline's stages with env (nil means
// registry.Global()) and chains them.
func (s *PipelineSpec) Build(env *registry.Environment) (*pipeline.Pipeline, error) {
	stages, err := s.buildStages(env)
	if err != nil {
		return nil, err
	}
	p, err := pipeline.NewPipeline(stages...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.File, err)
	}
	return p, nil
}

func (s *PipelineSpec) buildStages(env *registry.Environment) ([]pipeline.Stage, error) {
	if env == nil {
		env = registry.Global()
	}
	if len(s.Stages) == 0 {
		return nil, &Error{File: s.File, Pos: s.rootPos, Msg: "no stages"}
	}
	p := &problems{file: s.File}
	stages := make([]pipeline.Stage, 0, len(s.Stages))
	for i := range s.Stages {
		st := &s.Stages[i]
		stage, err := env.New(st.Kind, st.effectiveParams(s.LabelCol))
		if err != nil {
			p.add(st.Pos, "stage %d (%s): %v", i+1, st.Kind, err)
			continue
		}
		stages = append(stages, stage)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return stages, nil
}

// ParamPos returns the position of the value of param name of stage i (or
// of the top-level label_col it inherits), or the stage's position.
func (s *PipelineSpec) ParamPos(i int, name string) Pos {
	st := &s.Stages[i]
	if pos, ok := st.paramPos[name]; ok {
		return pos
	}
	if name == labelColParam && st.inherited {
		return s.labelPos
	}
	return st.Pos
}

// LabelPos returns the position of the top-level label_col value, or of
// the document when it is the default.
func (s *PipelineSpec) LabelPos() Pos { return s.labelPos }

// Errorf returns an *Error of the file at pos.
func (s *PipelineSpec) Errorf(pos Pos, format string, args ...any) error {
	return &Error{File: s.File, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}
