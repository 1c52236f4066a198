package table

import (
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
)

// RoleMetadataKey is the field metadata key that holds a column's Role.
const RoleMetadataKey = "eddy.role"

// Role tells stages what a column means, independently of its name: a
// learner reads its features from the column with RoleFeature and writes
// RolePrediction. A Role is stored in the field metadata under
// RoleMetadataKey, so it travels with the schema through Arrow IPC and
// Parquet.
type Role string

// The roles Eddy stages understand. The empty Role means "no role".
const (
	RoleFeature       Role = "feature"
	RoleLabel         Role = "label"
	RoleWeight        Role = "weight"
	RoleTimestamp     Role = "timestamp"
	RoleKey           Role = "key"
	RoleID            Role = "id"
	RolePrediction    Role = "prediction"
	RoleRawPrediction Role = "raw_prediction"
	RoleProbability   Role = "probability"
	RoleModelVersion  Role = "model_version"
)

// Roles lists every known Role, in declaration order.
var Roles = []Role{
	RoleFeature, RoleLabel, RoleWeight, RoleTimestamp, RoleKey, RoleID,
	RolePrediction, RoleRawPrediction, RoleProbability, RoleModelVersion,
}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

// WithRole returns a copy of f whose metadata holds role r; the other
// metadata keys are kept. The empty Role removes the role.
func WithRole(f arrow.Field, r Role) arrow.Field {
	keys := f.Metadata.Keys()
	vals := f.Metadata.Values()
	nk := make([]string, 0, len(keys)+1)
	nv := make([]string, 0, len(keys)+1)
	for i, k := range keys {
		if k != RoleMetadataKey {
			nk = append(nk, k)
			nv = append(nv, vals[i])
		}
	}
	if r != "" {
		nk = append(nk, RoleMetadataKey)
		nv = append(nv, string(r))
	}
	f.Metadata = arrow.NewMetadata(nk, nv)
	return f
}

// RoleOf returns the role stored in f's metadata, or "" if it has none.
func RoleOf(f arrow.Field) Role {
	i := f.Metadata.FindKey(RoleMetadataKey)
	if i < 0 {
		return ""
	}
	return Role(f.Metadata.Values()[i])
}

// ColumnsWithRole returns the indices of the fields of s whose role is r, in
// schema order.
func ColumnsWithRole(s *arrow.Schema, r Role) []int {
	var idx []int
	for i, f := range s.Fields() {
		if RoleOf(f) == r {
			idx = append(idx, i)
		}
	}
	return idx
}

// FieldIndex returns the index of the first field of s named name. The error
// names the missing column and lists the available ones.
func FieldIndex(s *arrow.Schema, name string) (int, error) {
	if s == nil {
		return -1, fmt.Errorf("column %q not found: no schema", name)
	}
	if idx := s.FieldIndices(name); len(idx) > 0 {
		return idx[0], nil
	}
	names := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		names[i] = f.Name
	}
	return -1, fmt.Errorf("column %q not found; available columns: %s", name, strings.Join(names, ", "))
}

// FieldIndices resolves several column names with FieldIndex.
func FieldIndices(s *arrow.Schema, names ...string) ([]int, error) {
	idx := make([]int, len(names))
	for i, n := range names {
		j, err := FieldIndex(s, n)
		if err != nil {
			return nil, err
		}
		idx[i] = j
	}
	return idx, nil
}
