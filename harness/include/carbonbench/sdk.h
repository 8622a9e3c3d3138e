// Everything a plugin author includes.
#pragma once

#include "carbonbench/dataset_spec.h"
#include "carbonbench/declarations.h"
#include "carbonbench/dropout.h"
#include "carbonbench/meter.h"
#include "carbonbench/model.h"
#include "carbonbench/module_shapes.h"
#include "carbonbench/optimization.h"
#include "carbonbench/params.h"
#include "carbonbench/plugin.h"
#include "carbonbench/quantizable_linear.h"
#include "carbonbench/training_context.h"
