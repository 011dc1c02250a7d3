# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 在 PyTorch 中组合数据集：ConcatDataset 与 StackDataset
#
# 训练数据很少只放在一个地方：样本可能分散在几个来源里，一个样本的各个部分也可能各存一份。PyTorch 为这两种情况各准备了一个组合工具：`ConcatDataset` 把几个数据集的样本首尾相接，得到一个更长的数据集；`StackDataset` 把几个等长数据集里同一下标的样本并排放在一起，得到一个字段更多的数据集。本文用几个在代码里构造的小数据集，逐一查看两者的取样规则、下标映射、报错情形以及进入 `DataLoader` 后的批次形状，并各自给出一个简短的复刻实现，与 torch 的结果逐项对照。

# %% tags=["remove_cell"]
# 执行时的工作目录可能是 docs/notebooks/ 或仓库根目录：
# 向上找到含 snippets/ 的那一层，让 snippets 包可导入
import sys, pathlib
cwd = pathlib.Path.cwd().resolve()
root = next(p for p in [cwd, *cwd.parents]
            if (p / "snippets").is_dir())
sys.path.insert(0, str(root))

# %% [markdown]
# ## 什么时候需要组合数据集
#
# PyTorch 的映射式数据集（map-style dataset）只需要两个方法：`__len__` 给出样本数，`__getitem__` 按下标取出一个样本。`DataLoader` 靠这两个方法就能采样、打乱和组批。所以，与其先把数据合并成一个大张量或一个大文件，不如在数据集这一层做组合：原来的数据集保持不变，组合后的对象仍然是一个普通的数据集，采样器和 `DataLoader` 的用法一点不用改。
#
# 组合有两个方向：
#
# - **纵向**：几个数据集的样本结构相同，只是来源不同，例如按年份切开的日志、几个公开语料、原始数据加上一份人工标注的补充集。希望把它们当成一个更长的数据集来用，这是 `ConcatDataset` 的工作。
# - **横向**：同一个样本的不同部分分开存放，例如图像特征、文字描述和标签各自一个数据集，它们按下标一一对应。希望取一个下标就拿到完整的样本，这是 `StackDataset` 的工作。
#
# 下面的示例数据都在 `snippets/combining_datasets/data.py` 里生成，不读任何文件，也没有随机数。

# %%
from torch.utils.data import ConcatDataset, StackDataset

from snippets.combining_datasets import (
    ManualConcatDataset, ManualStackDataset, concat_index, samples_equal)
from snippets.combining_datasets.data import (
    make_paired_datasets, make_toy_datasets)
from snippets.combining_datasets.page import (
    comparison_table, describe_batch, error_of, first_batch,
    list_samples, show_bisect_choice, show_concat_samples,
    show_index_mapping, show_source)

# %% [markdown]
# ## ConcatDataset：把样本首尾相接
#
# `make_toy_datasets()` 返回三个 `TensorDataset`，每个样本是一个（特征, 标签）元组。特征的百位数字标出它来自第几个数据集，其余部分就是它在该数据集中的局部下标；标签取局部下标的奇偶。这样一眼就能看出某个样本从哪里来。

# %%
parts = make_toy_datasets()
[len(d) for d in parts]

# %%
concat = ConcatDataset(parts)
len(concat), concat.cumulative_sizes

# %% [markdown]
# 组合后的长度就是各部分长度之和。`cumulative_sizes` 是构造时算好的累计长度（cumulative sizes）：第 k 个元素（从 0 数起）是前 k+1 个数据集的样本总数。按下标依次取出全部样本：

# %%
show_concat_samples(concat)

# %% [markdown]
# 样本的内容原封不动，`ConcatDataset` 只负责把全局下标翻译成“第几个数据集的第几个样本”。直接取一个样本，得到的就是子数据集返回的那个元组：

# %%
concat[3], concat[-1]

# %% [markdown]
# `Dataset` 还重载了加号：`a + b` 就是 `ConcatDataset([a, b])`。连加几次会得到嵌套的 `ConcatDataset`，外层只看到两个部分，样本顺序与一次性拼接相同：

# %%
nested = parts[0] + parts[1] + parts[2]
(type(nested).__name__, nested.cumulative_sizes,
 samples_equal(nested, concat))

# %% [markdown]
# ### 全局下标如何找到子数据集
#
# 累计长度是一个非降序列，全局下标 idx 所在的数据集，就是第一个“累计长度大于 idx”的位置。这正是标准库 `bisect.bisect_right` 做的事：在有序列表里二分查找，返回插入点，并且遇到相等的元素时插到它们右边。找到数据集编号之后，减去它前面所有数据集的样本数，就得到局部下标。
#
# 下面的 `concat_index` 复刻了 torch 源码中 `ConcatDataset.__getitem__` 的这段逻辑（只返回两个下标，不去真正取样本）：

# %%
show_source(concat_index)

# %% [markdown]
# 负下标沿用 Python 序列的习惯，`-1` 表示最后一个样本，先加上总长度再查找。越界时要注意两种错误并不相同：负下标的绝对值超过长度时，torch 主动抛出 `ValueError`；正下标越界时，`bisect_right` 返回的编号等于数据集个数，去取那个并不存在的数据集时才抛出 `IndexError`。下表把 `concat_index` 的结果与 torch 的 `ConcatDataset` 放在一起（torch 一列用“样本即自身映射结果”的小数据集取得）：

# %%
indices = [0, 2, 3, 6, 7, 8, 9, -1, -9, -10]
show_index_mapping(concat.cumulative_sizes, indices)

# %% [markdown]
# 正下标越界抛出 `IndexError` 还有一个副作用：Python 的旧式迭代协议会从 0 开始不断调用 `__getitem__`，直到遇见 `IndexError` 为止，所以即使 `ConcatDataset` 没有定义 `__iter__`，`for sample in concat` 也能正确地走完全部样本。

# %% [markdown]
# ### 为什么是 bisect_right 而不是 bisect_left
#
# 两者只在 idx 恰好等于某个累计长度时有分歧，而这恰恰是数据集之间的边界。下面的累计长度 `[3, 3, 7, 9]` 对应长度为 3、0、4、2 的四个数据集，其中第 1 个是空的：

# %%
show_bisect_choice([3, 3, 7, 9])

# %% [markdown]
# 在 idx 为 3 的地方，`bisect_left` 给出 0 号数据集，可那里只有下标 0 到 2；`bisect_right` 则越过相等的累计长度，直接落到 2 号数据集，顺带跳过了空数据集。所以空数据集混在中间不会出错，它只是不贡献任何样本。
#
# ### 一个最小复刻
#
# 有了 `concat_index`，整个 `ConcatDataset` 只剩几行：构造时算一次累计长度，取样时查表。

# %%
show_source(ManualConcatDataset)

# %%
samples_equal(ManualConcatDataset(parts), concat)

# %% [markdown]
# `samples_equal` 比较两个数据集的长度，并在包括负下标在内的每个下标上逐个比较样本（张量要求数值与 dtype 都相同）。有两处细节与 torch 不同：torch 在数据集列表为空、或者混入可迭代式数据集（iterable-style dataset）时抛出的是 `AssertionError`，这里改成了更常规的 `ValueError` 与 `TypeError`。可迭代式数据集没有随机访问，要串联它们应当用 `ChainDataset`。另外，`ConcatDataset` 不检查各部分的样本结构是否一致；如果一个批次里混进了结构不同的样本，要到 `DataLoader` 组批时才会报错。

# %% [markdown]
# ## StackDataset：把同一下标的样本并排
#
# `make_paired_datasets()` 返回三个等长的数据集，分别存放同一批样本的特征 `x`（长度为 2 的向量）、文字描述 `text` 和类别标签 `label`。它们都是 `SequenceDataset`：一个把张量或列表包装成数据集的小类，取出的样本就是元素本身。

# %%
paired = make_paired_datasets()
{name: len(d) for name, d in paired.items()}

# %% [markdown]
# 用位置参数构造时，每个样本是一个元组，字段顺序与参数顺序一致：

# %%
print(list_samples(StackDataset(*paired.values())))

# %% [markdown]
# 用关键字参数构造时，每个样本是一个字典，键就是参数名。下游代码按名字取字段，比记住元组里的位置更不容易出错：

# %%
print(list_samples(StackDataset(**paired)))

# %% [markdown]
# `StackDataset` 的长度就是各部分共同的长度，所以构造时会检查长度是否一致；两种传参方式也不能混用，至少要传一个数据集。下面三种错误用法分别对应这三条规则（这里把异常捕获后打印出来，而不是让单元格报错）：

# %%
a, b, c = parts  # 长度分别为 3、4、2
print(error_of(lambda: StackDataset(a, b)))
print(error_of(lambda: StackDataset(a, label=c)))
print(error_of(lambda: StackDataset()))

# %% [markdown]
# 与 `ConcatDataset` 相反，`StackDataset` 自己不处理下标：它把下标原样交给每个子数据集，负下标和越界都由子数据集决定如何处理。复刻版同样很短：

# %%
show_source(ManualStackDataset)

# %%
args = list(paired.values())
(samples_equal(ManualStackDataset(*args),
               StackDataset(*args)),
 samples_equal(ManualStackDataset(**paired),
               StackDataset(**paired)))

# %% [markdown]
# torch 的版本还多了一个 `__getitems__` 方法：`DataLoader` 一次取一批下标时，如果子数据集支持批量读取，就整批地读。这只影响速度，不影响取出的内容，所以复刻版省略了它。

# %% [markdown]
# ## 放进 DataLoader
#
# 组合后的数据集直接交给 `DataLoader`。默认的整理函数（collate function）按样本的结构组批：元组样本变成一个列表，列表的每一项是一个字段沿批次维堆叠的结果；字典样本变成一个键相同的字典。先看 `ConcatDataset` 的第一个批次（不打乱，批大小为 4）：

# %%
print(describe_batch(first_batch(concat)))

# %% [markdown]
# 批次的结构与子数据集的样本完全相同。特征的百位数字说明，这个批次跨过了第一个数据集的末尾，同时含有两个来源的样本；训练时打开 `shuffle=True`，采样器在全部下标上打乱，各来源的样本就会充分混合。
#
# 再看 `StackDataset` 的两种形式：

# %%
tuple_batch = first_batch(StackDataset(*args))
print(describe_batch(tuple_batch))

# %%
dict_batch = first_batch(StackDataset(**paired))
print(describe_batch(dict_batch))

# %% [markdown]
# 张量字段被堆叠成多一维的张量，字符串无法堆叠，保持为一串 Python 字符串。一个小差别值得留意：元组样本组批时，整理函数用 `zip` 把样本转置，所以字符串字段是一个 `tuple`；字典样本组批时，整理函数按键收集成列表，所以同一个字段变成了 `list`。如果下游代码对类型敏感，这一点需要统一处理。

# %% [markdown]
# ## 对比一览
#
# 表中的长度一行由上面的示例数据实际计算得到：

# %%
comparison_table()

# %% [markdown]
# ## 小结
#
# - 样本结构相同、来源不同，用 `ConcatDataset` 纵向拼接；它靠累计长度加 `bisect_right` 把全局下标映射到子数据集，负下标越界抛 `ValueError`，正下标越界抛 `IndexError`，空数据集会被自然跳过。
# - 同一批样本的不同部分分开存放，用 `StackDataset` 横向并排；长度必须一致，位置参数得到元组，关键字参数得到字典。
# - 两者组合出的仍是普通的映射式数据集，可以互相嵌套，也可以直接交给 `DataLoader`；批次结构跟随样本结构。
#
# ## 参考资料
#
# - PyTorch 文档：[torch.utils.data](https://pytorch.org/docs/stable/data.html)（`ConcatDataset`、`StackDataset`、`ChainDataset` 与默认整理函数）
# - PyTorch 源码：[torch/utils/data/dataset.py](https://github.com/pytorch/pytorch/blob/main/torch/utils/data/dataset.py)
# - Python 文档：[bisect：数组二分查找算法](https://docs.python.org/zh-cn/3/library/bisect.html)
#
# 本文的代码在 `snippets/combining_datasets/`，测试在 `tests/combining_datasets/`。
