"""Pure rules of the status service.

Modules import only the standard library and ``ppcore.{errors,clock,calendar,policy}``;
time, ids and the program policy are passed in (a unit test enforces this).
"""
