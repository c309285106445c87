"""Django project of qiangji: settings, URLs and one app per feature."""
