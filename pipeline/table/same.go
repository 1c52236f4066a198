package table

import "github.com/apache/arrow/go/v17/arrow"

// SameType is arrow.TypeEqual with fast answers for identical types and
// dense vector types: arrow.TypeEqual's reflect.DeepEqual costs about a
// microsecond per call, which a per-batch check on a hot path cannot pay.
func SameType(a, b arrow.DataType) bool {
	if a == b {
		return true
	}
	if la, ok := a.(*arrow.FixedSizeListType); ok {
		// arrow.TypeEqual compares length, element type and nullability.
		if lb, ok := b.(*arrow.FixedSizeListType); ok && la.Len() == lb.Len() && la.Elem() == lb.Elem() &&
			la.ElemField().Nullable == lb.ElemField().Nullable {
			return true
		}
	}
	return arrow.TypeEqual(a, b)
}

// SameSchema reports whether a and b have the same fields (names, types,
// nullability, metadata) and metadata, without allocating when their types
// are shared: code that caches what it derived from an input schema checks
// with it that a new batch's schema is the same. Nil equals only nil.
func SameSchema(a, b *arrow.Schema) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil || a.NumFields() != b.NumFields() || !sameMeta(a.Metadata(), b.Metadata()) {
		return false
	}
	for i := range a.NumFields() {
		fa, fb := a.Field(i), b.Field(i)
		if fa.Name != fb.Name || fa.Nullable != fb.Nullable || !sameMeta(fa.Metadata, fb.Metadata) || !SameType(fa.Type, fb.Type) {
			return false
		}
	}
	return true
}

// sameMeta is Metadata.Equal without its allocations when both are empty.
func sameMeta(a, b arrow.Metadata) bool {
	if a.Len() == 0 && b.Len() == 0 {
		return true
	}
	return a.Equal(b)
}
