module example.com/config

go 1.19

require example.com/yaml v0.0.0-20240301120000-3b1f2a4c5d6e
