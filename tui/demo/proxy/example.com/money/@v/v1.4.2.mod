module example.com/money

go 1.21

require example.org/x/text v0.14.0

// Rounding error in currency conversion.
retract v1.4.1
