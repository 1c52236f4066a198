// Package all registers every transformer kind of Eddy: import it for its
// side effect, so that the CLI, flows and modelio.Load can build and load
// any saved pipeline by kind name.
//
//	import _ "github.com/eddyml/eddy/transformers/all"
//
// # Contents
//
// One blank import per package under transformers/ (random_splitter is
// imported too, though it registers no kind: see its package doc). Add a
// new transformer package here; the test checks that every directory under
// transformers/ (but internal/) is imported.
package all

import (
	// Each transformer registers its kinds in init.
	_ "github.com/eddyml/eddy/transformers/binarizer"
	_ "github.com/eddyml/eddy/transformers/bucketizer"
	_ "github.com/eddyml/eddy/transformers/countvectorizer"
	_ "github.com/eddyml/eddy/transformers/featurehasher"
	_ "github.com/eddyml/eddy/transformers/hashingtf"
	_ "github.com/eddyml/eddy/transformers/idf"
	_ "github.com/eddyml/eddy/transformers/imputer"
	_ "github.com/eddyml/eddy/transformers/indextostring"
	_ "github.com/eddyml/eddy/transformers/interaction"
	_ "github.com/eddyml/eddy/transformers/kbinsdiscretizer"
	_ "github.com/eddyml/eddy/transformers/maxabsscaler"
	_ "github.com/eddyml/eddy/transformers/minmaxscaler"
	_ "github.com/eddyml/eddy/transformers/ngram"
	_ "github.com/eddyml/eddy/transformers/normalizer"
	_ "github.com/eddyml/eddy/transformers/onehotencoder"
	_ "github.com/eddyml/eddy/transformers/pca"
	_ "github.com/eddyml/eddy/transformers/polynomialexpansion"
	_ "github.com/eddyml/eddy/transformers/pyudf"
	_ "github.com/eddyml/eddy/transformers/randomsplitter"
	_ "github.com/eddyml/eddy/transformers/regextokenizer"
	_ "github.com/eddyml/eddy/transformers/robustscaler"
	_ "github.com/eddyml/eddy/transformers/sqlexpr"
	_ "github.com/eddyml/eddy/transformers/standardscaler"
	_ "github.com/eddyml/eddy/transformers/stopwordsremover"
	_ "github.com/eddyml/eddy/transformers/stringindexer"
	_ "github.com/eddyml/eddy/transformers/tokenizer"
	_ "github.com/eddyml/eddy/transformers/variancethresholdselector"
	_ "github.com/eddyml/eddy/transformers/vectorassembler"
	_ "github.com/eddyml/eddy/transformers/vectorslicer"
)
