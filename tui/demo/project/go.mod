// An example service with the dependency trouble real projects have:
// several requirers disagreeing on shared modules, a prerelease, a
// pseudo-version, and a major-version split.
module example.com/shop

go 1.22

require (
	example.com/api v1.4.0
	example.com/auth v0.9.2
	example.com/billing v1.2.0
	example.com/cart v0.3.1 // needs the new pricing rules
	example.com/log v1.1.0
)

require (
	example.com/cache v0.5.0 // indirect
	example.com/config v1.0.3 // indirect
	example.com/pricing v0.8.0-rc.1 // indirect
	example.com/proto/v2 v2.1.0 // indirect
	example.com/yaml v0.0.0-20240301120000-3b1f2a4c5d6e // indirect
)

exclude example.com/cache v0.4.1

replace example.com/log v1.1.0 => example.com/log v1.1.1
