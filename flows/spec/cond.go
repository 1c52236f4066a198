package spec

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Condition is the `when:` filter of an event trigger: comparisons
// "FIELD OP VALUE" joined by "&&", such as
//
//	version > 1 && metrics.auc >= 0.9
//
// OP is one of == != < <= > >=. VALUE is a number, a quoted string or a
// bare word. Fields are those of the event: model, version, stage, alias,
// job, attempt, error, metric, value, threshold, detector (of
// drift.detected), statistic, and metrics.NAME (a metric of the event's
// model version).
type Condition struct {
	src   string
	terms []condTerm
}

type condTerm struct {
	field, op string
	num       float64
	str       string
	isNum     bool
}

var (
	condTermRE  = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(==|!=|<=|>=|<|>)\s*(.*?)\s*$`)
	condFields  = []string{"model", "version", "stage", "alias", "job", "attempt", "error", "metric", "value", "threshold", "detector", "statistic"}
	condMetricP = "metrics."
)

// ParseCondition parses a `when:` expression.
func ParseCondition(s string) (*Condition, error) {
	c := &Condition{src: s}
	for _, part := range strings.Split(s, "&&") {
		m := condTermRE.FindStringSubmatch(part)
		if m == nil {
			return nil, fmt.Errorf("condition %q: term %q: want FIELD OP VALUE with OP one of == != < <= > >=", s, strings.TrimSpace(part))
		}
		t := condTerm{field: m[1], op: m[2]}
		if !strings.HasPrefix(t.field, condMetricP) || len(t.field) == len(condMetricP) {
			known := false
			for _, f := range condFields {
				known = known || f == t.field
			}
			if !known {
				return nil, fmt.Errorf("condition %q: unknown field %q%s; known: %s, metrics.NAME", s, t.field, suggest(t.field, condFields), strings.Join(condFields, ", "))
			}
		}
		v := m[3]
		switch {
		case v == "":
			return nil, fmt.Errorf("condition %q: term %q: missing value", s, strings.TrimSpace(part))
		case len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0]:
			t.str = v[1 : len(v)-1]
		default:
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				t.num, t.isNum = f, true
			} else if strings.ContainsAny(v, " \t\"'") {
				return nil, fmt.Errorf("condition %q: value %q: want a number, a quoted string or a single word", s, v)
			} else {
				t.str = v
			}
		}
		if !t.isNum && t.op != "==" && t.op != "!=" {
			return nil, fmt.Errorf("condition %q: %s %s %q: strings compare only with == and !=", s, t.field, t.op, t.str)
		}
		c.terms = append(c.terms, t)
	}
	return c, nil
}

// String returns the expression as written.
func (c *Condition) String() string { return c.src }

// Fields returns the fields the condition reads.
func (c *Condition) Fields() []string {
	out := make([]string, len(c.terms))
	for i, t := range c.terms {
		out[i] = t.field
	}
	return out
}

// Eval reports whether every term holds. get returns a field's value (a
// float64 or a string) and whether the event has it; a term on a missing
// field is false.
func (c *Condition) Eval(get func(field string) (any, bool)) bool {
	for _, t := range c.terms {
		v, ok := get(t.field)
		if !ok || !t.holds(v) {
			return false
		}
	}
	return true
}

func (t condTerm) holds(v any) bool {
	if t.isNum {
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case int64:
			f = float64(x)
		case int:
			f = float64(x)
		case string:
			var err error
			if f, err = strconv.ParseFloat(x, 64); err != nil {
				return false
			}
		default:
			return false
		}
		switch t.op {
		case "==":
			return f == t.num
		case "!=":
			return f != t.num
		case "<":
			return f < t.num
		case "<=":
			return f <= t.num
		case ">":
			return f > t.num
		case ">=":
			return f >= t.num
		}
		return false
	}
	s := fmt.Sprint(v)
	if t.op == "==" {
		return s == t.str
	}
	return s != t.str
}
