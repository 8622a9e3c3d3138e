// The host's readers include this; the functions live in the SDK, so plugins
// (a pretrained model folder's files) open their input the same way.
#pragma once

#include "carbonbench/regular_file.h"
