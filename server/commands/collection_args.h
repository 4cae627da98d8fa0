// Transitional: the helpers that lived here are now in args.h (argument parsing) and
// handler_support.h (the rest). Kept only so branches written against it still build; remove it
// once no file includes it.
#pragma once

#include "server/commands/args.h"
#include "server/commands/handler_support.h"
