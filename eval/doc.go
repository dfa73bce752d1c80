// Package eval measures what an encoder learned: it extracts frozen
// representations h (eval-mode BatchNorm, no augmentation) and fits a
// linear head on them, the paper's linear-evaluation protocol, or
// classifies by nearest neighbours (KNN). Heads: softmax cross-entropy
// (default), least squares onto one-hot targets (MSE, closed form) and a
// multi-class SVM (squared multi-margin loss). The losses themselves
// (CrossEntropy, MSE, Hinge) follow PyTorch's semantics and exist both as
// float64 functions and as gorgonia graph builders. WriteNPY exports
// features for numpy; WriteConfusionPNG draws a confusion matrix.
//
// Runs are read through package run: LoadEncoder (or Embed, in one call)
// gives a run's encoder with its input pipeline, to embed image.Images or
// datasets; a Source names what an evaluation reads (a run or a baseline,
// on a labelled dataset) and Source.Open loads it; an Evaluation is the
// report simclr eval saves as eval.json.
//
// Features are N×D float32, row-major, one row per image in dataset order.
// The probe standardises each feature with the training set's mean and
// standard deviation, then fits the head (for cross-entropy: multinomial
// logistic regression plus (λ/2)‖W‖², bias unpenalised) with L-BFGS. λ is
// chosen on a validation split carved from the training features (the
// last 20%), then the probe is refitted on all of them.
//
// Accuracies are fractions in [0,1]. Errors (empty sets, mismatched
// dimensions, labels out of range) are returned, not panicked.
package eval
