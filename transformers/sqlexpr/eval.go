package sqlexpr

import (
	"cmp"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

// tnode is a node of the typed tree. eval computes the node over a whole
// batch, one column at a time: the loops run over value slices, with the
// type dispatch done once per batch.
type tnode interface {
	typ() Type
	eval(e *env) *vec
}

// env is the batch being evaluated, with the input columns converted to
// vecs once each.
type env struct {
	rec  arrow.Record
	n    int
	cols map[int]*vec
}

func newEnv(rec arrow.Record) *env {
	return &env{rec: rec, n: int(rec.NumRows()), cols: map[int]*vec{}}
}

type colNode struct {
	idx int
	t   Type
}

func (c *colNode) typ() Type { return c.t }

func (c *colNode) eval(e *env) *vec {
	if v, ok := e.cols[c.idx]; ok {
		return v
	}
	v := load(e.rec.Column(c.idx))
	e.cols[c.idx] = v
	return v
}

// load converts an input column; float64, int64 and string values are
// shared, not copied.
func load(arr arrow.Array) *vec {
	n := arr.Len()
	v := &vec{n: n}
	if arr.NullN() > 0 {
		v.valid = make([]bool, n)
		for k := range v.valid {
			v.valid[k] = arr.IsValid(k)
		}
	}
	switch a := arr.(type) {
	case *array.Float64:
		v.f = a.Float64Values()
	case *array.Float32:
		v.f = widen[float32, float64](a.Float32Values())
	case *array.Int64:
		v.i = a.Int64Values()
	case *array.Int32:
		v.i = widen[int32, int64](a.Int32Values())
	case *array.Int16:
		v.i = widen[int16, int64](a.Int16Values())
	case *array.Int8:
		v.i = widen[int8, int64](a.Int8Values())
	case *array.Uint64:
		v.i = widen[uint64, int64](a.Uint64Values())
	case *array.Uint32:
		v.i = widen[uint32, int64](a.Uint32Values())
	case *array.Uint16:
		v.i = widen[uint16, int64](a.Uint16Values())
	case *array.Uint8:
		v.i = widen[uint8, int64](a.Uint8Values())
	case *array.Boolean:
		v.b = make([]bool, n)
		for k := range v.b {
			v.b[k] = a.Value(k)
		}
	case *array.String:
		v.s = make([]string, n)
		for k := range v.s {
			v.s[k] = a.Value(k)
		}
	case *array.LargeString:
		v.s = make([]string, n)
		for k := range v.s {
			v.s[k] = a.Value(k)
		}
	}
	return v
}

func widen[S int8 | int16 | int32 | uint8 | uint16 | uint32 | uint64 | float32, D int64 | float64](src []S) []D {
	out := make([]D, len(src))
	for k, x := range src {
		out[k] = D(x)
	}
	return out
}

type litNode struct{ lit literal }

func (l *litNode) typ() Type { return l.lit.typ }

func (l *litNode) eval(e *env) *vec {
	v := &vec{n: e.n}
	switch l.lit.typ {
	case Null:
		v.valid = allNull(e.n)
	case Float:
		v.f = fill(e.n, l.lit.f)
	case Int:
		v.i = fill(e.n, l.lit.i)
	case Bool:
		v.b = fill(e.n, l.lit.b)
	case String:
		v.s = fill(e.n, l.lit.s)
	}
	return v
}

func fill[T any](n int, x T) []T {
	out := make([]T, n)
	for k := range out {
		out[k] = x
	}
	return out
}

type castNode struct {
	x  tnode
	to Type
}

func (c *castNode) typ() Type { return c.to }

func (c *castNode) eval(e *env) *vec {
	x := c.x.eval(e)
	from := c.x.typ()
	if from == c.to {
		return x
	}
	n := x.n
	out := &vec{n: n, valid: x.valid}
	if from == Null {
		out.valid = allNull(n)
		switch c.to {
		case Float:
			out.f = make([]float64, n)
		case Int:
			out.i = make([]int64, n)
		case Bool:
			out.b = make([]bool, n)
		case String:
			out.s = make([]string, n)
		}
		return out
	}
	// invalid marks row k null, copying the validity first.
	owned := false
	invalid := func(k int) {
		if !owned {
			nv := make([]bool, n)
			if x.valid == nil {
				for j := range nv {
					nv[j] = true
				}
			} else {
				copy(nv, x.valid)
			}
			out.valid, owned = nv, true
		}
		out.valid[k] = false
	}
	switch c.to {
	case Float:
		out.f = make([]float64, n)
		switch from {
		case Int:
			for k, v := range x.i {
				out.f[k] = float64(v)
			}
		case Bool:
			for k, v := range x.b {
				if v {
					out.f[k] = 1
				}
			}
		case String:
			for k, s := range x.s {
				if !x.isValid(k) {
					continue
				}
				f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
				if err != nil && !isRangeErr(err) {
					invalid(k)
					continue
				}
				out.f[k] = f
			}
		}
	case Int:
		out.i = make([]int64, n)
		switch from {
		case Float:
			for k, f := range x.f {
				if i, ok := floatToInt(f); ok {
					out.i[k] = i
				} else if x.isValid(k) {
					invalid(k)
				}
			}
		case Bool:
			for k, v := range x.b {
				if v {
					out.i[k] = 1
				}
			}
		case String:
			for k, s := range x.s {
				if !x.isValid(k) {
					continue
				}
				s = strings.TrimSpace(s)
				if i, err := strconv.ParseInt(s, 10, 64); err == nil {
					out.i[k] = i
					continue
				}
				f, err := strconv.ParseFloat(s, 64)
				i, ok := floatToInt(f)
				if err != nil || !ok {
					invalid(k)
					continue
				}
				out.i[k] = i
			}
		}
	case Bool:
		out.b = make([]bool, n)
		switch from {
		case Float:
			for k, f := range x.f {
				out.b[k] = f != 0
			}
		case Int:
			for k, i := range x.i {
				out.b[k] = i != 0
			}
		case String:
			for k, s := range x.s {
				if !x.isValid(k) {
					continue
				}
				switch strings.ToLower(strings.TrimSpace(s)) {
				case "true", "t", "yes", "y", "1":
					out.b[k] = true
				case "false", "f", "no", "n", "0":
				default:
					invalid(k)
				}
			}
		}
	case String:
		out.s = make([]string, n)
		switch from {
		case Float:
			for k, f := range x.f {
				if x.isValid(k) {
					out.s[k] = strconv.FormatFloat(f, 'g', -1, 64)
				}
			}
		case Int:
			for k, i := range x.i {
				if x.isValid(k) {
					out.s[k] = strconv.FormatInt(i, 10)
				}
			}
		case Bool:
			for k, b := range x.b {
				out.s[k] = strconv.FormatBool(b)
			}
		}
	}
	return out
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// floatToInt truncates f toward zero; NaN, infinities and values outside
// the int64 range do not convert.
func floatToInt(f float64) (int64, bool) {
	if !(f >= -9223372036854775808.0 && f < 9223372036854775808.0) {
		return 0, false
	}
	return int64(f), true
}

type isNullNode struct {
	x   tnode
	not bool
}

func (c *isNullNode) typ() Type { return Bool }

func (c *isNullNode) eval(e *env) *vec {
	x := c.x.eval(e)
	out := &vec{n: x.n, b: make([]bool, x.n)}
	for k := range out.b {
		out.b[k] = x.isValid(k) == c.not
	}
	return out
}

type notNode struct{ x tnode }

func (c *notNode) typ() Type { return Bool }

func (c *notNode) eval(e *env) *vec {
	x := c.x.eval(e)
	out := &vec{n: x.n, b: make([]bool, x.n), valid: x.valid}
	for k, b := range x.b {
		out.b[k] = !b
	}
	return out
}

type negNode struct {
	x tnode
	t Type
}

func (c *negNode) typ() Type { return c.t }

func (c *negNode) eval(e *env) *vec {
	x := c.x.eval(e)
	out := &vec{n: x.n, valid: x.valid}
	if c.t == Int {
		out.i = make([]int64, x.n)
		for k, v := range x.i {
			out.i[k] = -v
		}
	} else {
		out.f = make([]float64, x.n)
		for k, v := range x.f {
			out.f[k] = -v
		}
	}
	return out
}

type arithNode struct {
	op   byte
	t    Type
	l, r tnode
}

func (c *arithNode) typ() Type { return c.t }

func (c *arithNode) eval(e *env) *vec {
	l, r := c.l.eval(e), c.r.eval(e)
	n := l.n
	out := &vec{n: n, valid: andValid(n, l.valid, r.valid)}
	if c.t == Int {
		a, b := l.i, r.i
		d := make([]int64, n)
		switch c.op {
		case '+':
			for k := range d {
				d[k] = a[k] + b[k]
			}
		case '-':
			for k := range d {
				d[k] = a[k] - b[k]
			}
		case '*':
			for k := range d {
				d[k] = a[k] * b[k]
			}
		case '%':
			out.valid = nullWhereZero(n, out.valid, b)
			for k := range d {
				if b[k] != 0 {
					d[k] = a[k] % b[k]
				}
			}
		}
		out.i = d
		return out
	}
	a, b := l.f, r.f
	d := make([]float64, n)
	switch c.op {
	case '+':
		for k := range d {
			d[k] = a[k] + b[k]
		}
	case '-':
		for k := range d {
			d[k] = a[k] - b[k]
		}
	case '*':
		for k := range d {
			d[k] = a[k] * b[k]
		}
	case '/':
		out.valid = nullWhereZero(n, out.valid, b)
		for k := range d {
			if b[k] != 0 {
				d[k] = a[k] / b[k]
			}
		}
	case '%':
		out.valid = nullWhereZero(n, out.valid, b)
		for k := range d {
			if b[k] != 0 {
				d[k] = math.Mod(a[k], b[k])
			}
		}
	}
	out.f = d
	return out
}

// nullWhereZero returns valid with the rows where divisor is zero made
// null (a division by zero is NULL).
func nullWhereZero[T int64 | float64](n int, valid []bool, divisor []T) []bool {
	has := false
	for _, x := range divisor {
		if x == 0 {
			has = true
			break
		}
	}
	if !has {
		return valid
	}
	out := make([]bool, n)
	for k, x := range divisor {
		out[k] = x != 0 && (valid == nil || valid[k])
	}
	return out
}

type cmpNode struct {
	op   string
	t    Type
	l, r tnode
}

func (c *cmpNode) typ() Type { return Bool }

func (c *cmpNode) eval(e *env) *vec {
	l, r := c.l.eval(e), c.r.eval(e)
	out := &vec{n: l.n, b: make([]bool, l.n), valid: andValid(l.n, l.valid, r.valid)}
	switch c.t {
	case Float:
		compare(c.op, out.b, l.f, r.f)
	case Int:
		compare(c.op, out.b, l.i, r.i)
	case String:
		compare(c.op, out.b, l.s, r.s)
	case Bool:
		eq := c.op == "="
		for k := range out.b {
			out.b[k] = (l.b[k] == r.b[k]) == eq
		}
	}
	return out
}

func compare[T cmp.Ordered](op string, dst []bool, a, b []T) {
	switch op {
	case "=":
		for k := range dst {
			dst[k] = a[k] == b[k]
		}
	case "!=":
		for k := range dst {
			dst[k] = a[k] != b[k]
		}
	case "<":
		for k := range dst {
			dst[k] = a[k] < b[k]
		}
	case "<=":
		for k := range dst {
			dst[k] = a[k] <= b[k]
		}
	case ">":
		for k := range dst {
			dst[k] = a[k] > b[k]
		}
	case ">=":
		for k := range dst {
			dst[k] = a[k] >= b[k]
		}
	}
}

// logicNode is AND or OR with SQL's three-valued logic: FALSE AND NULL is
// FALSE, TRUE OR NULL is TRUE, otherwise NULL propagates.
type logicNode struct {
	and  bool
	l, r tnode
}

func (c *logicNode) typ() Type { return Bool }

func (c *logicNode) eval(e *env) *vec {
	l, r := c.l.eval(e), c.r.eval(e)
	n := l.n
	out := &vec{n: n, b: make([]bool, n)}
	if l.valid == nil && r.valid == nil {
		for k := range out.b {
			if c.and {
				out.b[k] = l.b[k] && r.b[k]
			} else {
				out.b[k] = l.b[k] || r.b[k]
			}
		}
		return out
	}
	out.valid = make([]bool, n)
	// dom is the value that decides alone: false for AND, true for OR.
	dom := !c.and
	for k := range out.b {
		lv, rv := l.isValid(k), r.isValid(k)
		switch {
		case lv && l.b[k] == dom || rv && r.b[k] == dom:
			out.b[k], out.valid[k] = dom, true
		case lv && rv:
			out.b[k], out.valid[k] = !dom, true
		}
	}
	return out
}

type concatNode struct{ l, r tnode }

func (c *concatNode) typ() Type { return String }

func (c *concatNode) eval(e *env) *vec {
	l, r := c.l.eval(e), c.r.eval(e)
	out := &vec{n: l.n, s: make([]string, l.n), valid: andValid(l.n, l.valid, r.valid)}
	for k := range out.s {
		if out.isValid(k) {
			out.s[k] = l.s[k] + r.s[k]
		}
	}
	return out
}

type funcNode struct {
	name string
	t    Type
	args []tnode
}

func (c *funcNode) typ() Type { return c.t }

func (c *funcNode) eval(e *env) *vec {
	x := c.args[0].eval(e)
	n := x.n
	out := &vec{n: n, valid: x.valid}
	switch c.name {
	case "abs":
		if c.t == Int {
			out.i = make([]int64, n)
			for k, v := range x.i {
				if v < 0 {
					v = -v
				}
				out.i[k] = v
			}
			return out
		}
		out.f = mapFloats(x.f, math.Abs)
	case "sqrt":
		out.f = mapFloats(x.f, math.Sqrt)
	case "exp":
		out.f = mapFloats(x.f, math.Exp)
	case "log", "ln", "log10":
		f := math.Log
		if c.name == "log10" {
			f = math.Log10
		}
		out.f = mapFloats(x.f, f)
		out.valid = nullWhere(n, out.valid, x.f, func(v float64) bool { return !(v > 0) })
	case "pow", "power":
		y := c.args[1].eval(e)
		out.valid = andValid(n, x.valid, y.valid)
		out.f = make([]float64, n)
		for k := range out.f {
			out.f[k] = math.Pow(x.f[k], y.f[k])
		}
	case "lower", "upper":
		f := strings.ToLower
		if c.name == "upper" {
			f = strings.ToUpper
		}
		out.s = make([]string, n)
		for k, s := range x.s {
			out.s[k] = f(s)
		}
	case "length":
		out.i = make([]int64, n)
		for k, s := range x.s {
			out.i[k] = int64(utf8.RuneCountInString(s))
		}
	}
	return out
}

func mapFloats(src []float64, f func(float64) float64) []float64 {
	out := make([]float64, len(src))
	for k, v := range src {
		out[k] = f(v)
	}
	return out
}

// nullWhere returns valid with the rows where bad(vals[k]) made null.
func nullWhere(n int, valid []bool, vals []float64, bad func(float64) bool) []bool {
	var out []bool
	for k, v := range vals {
		if bad(v) {
			if out == nil {
				out = make([]bool, n)
				for j := range out {
					out[j] = valid == nil || valid[j]
				}
			}
			out[k] = false
		}
	}
	if out == nil {
		return valid
	}
	return out
}

type coalesceNode struct {
	t    Type
	args []tnode
}

func (c *coalesceNode) typ() Type { return c.t }

func (c *coalesceNode) eval(e *env) *vec {
	out := newVec(c.t, e.n)
	out.valid = allNull(e.n)
	for _, a := range c.args {
		x := a.eval(e)
		take := make([]bool, e.n)
		any := false
		for k := range take {
			if !out.valid[k] && x.isValid(k) {
				take[k], out.valid[k], any = true, true, true
			}
		}
		if any {
			copyWhere(c.t, out, x, take)
		}
	}
	return out
}

// caseNode is CASE WHEN ... (and if()): the first condition that is TRUE
// (not FALSE, not NULL) picks its value; else the ELSE value or NULL.
type caseNode struct {
	t     Type
	conds []tnode
	vals  []tnode
	els   tnode // nil: NULL
}

func (c *caseNode) typ() Type { return c.t }

func (c *caseNode) eval(e *env) *vec {
	n := e.n
	out := newVec(c.t, n)
	out.valid = allNull(n)
	done := make([]bool, n)
	take := make([]bool, n)
	for i, cond := range c.conds {
		cv := cond.eval(e)
		any := false
		for k := range take {
			take[k] = !done[k] && cv.b[k] && cv.isValid(k)
			if take[k] {
				done[k], any = true, true
			}
		}
		if any {
			v := c.vals[i].eval(e)
			copyWhere(c.t, out, v, take)
		}
	}
	if c.els != nil {
		any := false
		for k := range take {
			take[k] = !done[k]
			any = any || take[k]
		}
		if any {
			copyWhere(c.t, out, c.els.eval(e), take)
		}
	}
	return out
}

func newVec(t Type, n int) *vec {
	v := &vec{n: n}
	switch t {
	case Float:
		v.f = make([]float64, n)
	case Int:
		v.i = make([]int64, n)
	case Bool:
		v.b = make([]bool, n)
	case String:
		v.s = make([]string, n)
	}
	return v
}

// copyWhere copies the rows of src selected by take into dst (whose
// validity is owned), with their validity.
func copyWhere(t Type, dst, src *vec, take []bool) {
	for k, ok := range take {
		if ok {
			dst.valid[k] = src.isValid(k)
		}
	}
	switch t {
	case Float:
		copySel(dst.f, src.f, take)
	case Int:
		copySel(dst.i, src.i, take)
	case Bool:
		copySel(dst.b, src.b, take)
	case String:
		copySel(dst.s, src.s, take)
	}
}

func copySel[T any](dst, src []T, take []bool) {
	for k, ok := range take {
		if ok {
			dst[k] = src[k]
		}
	}
}
