// Registers the chart.js parts the UI uses (tree-shaken build: only line charts on linear axes).
import {
  Chart,
  Legend,
  LinearScale,
  LineElement,
  PointElement,
  Title,
  Tooltip,
  LogarithmicScale,
} from 'chart.js';

Chart.register(LinearScale, LogarithmicScale, PointElement, LineElement, Legend, Tooltip, Title);
