// Package eval measures what an encoder learned: it extracts frozen
// representations h (eval-mode BatchNorm, no augmentation) and fits a
// linear classifier on them, the paper's linear-evaluation protocol.
//
// Features are N×D float32, row-major, one row per image in dataset order.
// The probe standardises each feature with the training set's mean and
// standard deviation, then fits multinomial logistic regression (softmax
// cross-entropy plus (λ/2)‖W‖², bias unpenalised) with L-BFGS. λ is
// chosen on a validation split carved from the training features (the
// last 20%), then the probe is refitted on all of them.
//
// Accuracies are fractions in [0,1]. Errors (empty sets, mismatched
// dimensions, labels out of range) are returned, not panicked.
package eval
