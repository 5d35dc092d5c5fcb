module inflow/bench/pattern/quamina

go 1.21

require quamina.net/go/quamina v1.4.0

// v1 declares the quamina.net path, which the module proxy here does not serve; the same
// release is fetched through its GitHub path.
replace quamina.net/go/quamina => github.com/timbray/quamina v1.4.0
