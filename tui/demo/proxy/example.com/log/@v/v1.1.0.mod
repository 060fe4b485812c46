module example.com/log

go 1.21

require example.com/color v1.1.0
