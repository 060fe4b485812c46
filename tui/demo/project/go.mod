// An example service with the dependency trouble real projects have: requirers that
// disagree on shared modules, a prerelease that wins, a retracted version that is
// selected, a deprecated module, a fork, and a v1/v2 major-version split.
module example.com/shop

go 1.22

require (
	example.com/api v1.4.0
	example.com/auth v0.9.2
	example.com/billing v1.2.0
	example.com/cart v0.3.1 // needs the new pricing rules
	example.com/log v1.1.0
	example.com/router v1.8.0
)

require (
	example.com/cache v0.6.0 // indirect
	example.com/color v1.2.0 // indirect
	example.com/config v1.2.0 // indirect
	example.com/json v1.2.0 // indirect
	example.com/jwt v3.2.2+incompatible // indirect
	example.com/money v1.4.1 // indirect
	example.com/pricing v0.8.0-rc.1 // indirect
	example.com/proto v1.5.0 // indirect
	example.com/proto/v2 v2.1.0 // indirect
	example.com/retry v1.0.0 // indirect
	example.com/uuid v1.3.0 // indirect
	example.com/yaml v0.0.0-20240301120000-3b1f2a4c5d6e // indirect
	example.net/grpc v1.60.1 // indirect
	example.net/protobuf v1.31.0 // indirect
	example.org/x/crypto v0.14.0 // indirect
	example.org/x/sys v0.15.0 // indirect
	example.org/x/text v0.14.0 // indirect
)

// v0.4.1 leaks connections under load.
exclude example.com/cache v0.4.1

// Structured fields fix, not merged upstream yet.
replace example.com/log v1.1.0 => example.com/forks/log v1.1.1
