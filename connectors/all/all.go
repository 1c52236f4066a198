// Package all registers every file format of Eddy's connectors: import it
// for its side effect, then connectors.Open and connectors.Create pick the
// format from a file name.
//
//	import _ "github.com/eddyml/eddy/connectors/all"
package all

import (
	// Each format registers itself in init.
	_ "github.com/eddyml/eddy/connectors/arrowipc"
	_ "github.com/eddyml/eddy/connectors/csv"
	_ "github.com/eddyml/eddy/connectors/jsonl"
	_ "github.com/eddyml/eddy/connectors/parquet"
)
