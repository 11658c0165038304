"""jieba + scikit-learn: category / appeal type / handling-unit (承办单位) suggestion."""
